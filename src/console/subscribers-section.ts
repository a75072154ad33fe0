import { Router } from 'express';
import { HttpError, parseOr400 } from '../http/http-error.ts';
import { subscriberQuery } from '../http/admin-routes.ts';
import type { Subscriber } from '../store/subscribers.ts';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { localTime } from './local-time.ts';
import { consolePage } from './shell.ts';
import { dataTable } from './data-table.ts';

const STATES = ['active', 'unsubscribed', 'blocked'] as const;

/** A query string without the fields a filter form left empty ("any"). */
function filled(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

/**
 * Subscribers: the list `GET /admin/api/subscribers` gives, filtered by channel, state and
 * topic, a page at a time. A filter that is not valid is answered 400 with the reason.
 */
export function subscribersSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/subscribers', async (req, res) => {
    const query = filled(req.query as Record<string, unknown>);
    let problem: string | undefined;
    let filter: ReturnType<typeof subscriberQuery.parse> = { limit: 20 };
    try {
      filter = parseOr400(subscriberQuery, query, 'query');
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      problem = error.message;
    }
    const { limit, state, channel, topic, after } = filter;
    const split = after?.indexOf(':') ?? -1;
    const items = problem
      ? []
      : await deps.subscribers.list({
          state,
          channel,
          topic,
          limit,
          after: after
            ? { channel: after.slice(0, split), userId: after.slice(split + 1) }
            : undefined,
        });
    const last = items.at(-1);
    const next =
      items.length === limit && last
        ? pageLink(query, `${last.channel}:${last.userId}`)
        : undefined;
    const channels = [
      ...new Set((await deps.stats.subscribersByChannelState()).map((row) => row.channel)),
    ];
    const topics = [...deps.engine.rules().topics.keys()];
    res
      .status(problem ? 400 : 200)
      .type('html')
      .send(
        consolePage(deps.access, req, {
          title: 'Subscribers',
          section: '/admin/subscribers',
          body: html`<form method="get" action="/admin/subscribers" class="filters">
              ${select('Channel', 'channel', channels, channel)}
              ${select('State', 'state', STATES, state)}
              <label
                >Topic
                <input name="topic" value="${topic ?? ''}" list="topics" maxlength="64" />
              </label>
              <datalist id="topics">
                ${topics.map((t) => html`<option value="${t}"></option>`)}
              </datalist>
              <button type="submit">Filter</button>
              <a href="/admin/subscribers">Clear</a>
            </form>
            ${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
            ${subscriberTable(items, deps.timeZone, after !== undefined)}
            <p class="button-row">
              ${after ? html`<a href="${pageLink(query)}">First page</a>` : ''}
              ${next ? html`<a href="${next}" rel="next">Next page</a>` : ''}
            </p>`,
        }),
      );
  });
  return router;
}

/** This list's address with the same filters, from `after` (the first page without it). */
function pageLink(query: Record<string, unknown>, after?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (key !== 'after' && typeof value === 'string') params.set(key, value);
  if (after) params.set('after', after);
  return `/admin/subscribers?${params}`;
}

function select(label: string, name: string, options: readonly string[], chosen?: string) {
  return html`<label
    >${label}
    <select name="${name}">
      <option value="">any</option>
      ${options.map(
        (option) =>
          html`<option value="${option}" ${option === chosen ? html`selected` : ''}>
            ${option}
          </option>`,
      )}
    </select>
  </label>`;
}

function subscriberTable(items: Subscriber[], timeZone: string, paged: boolean) {
  if (items.length === 0)
    return html`<p>${paged ? 'No more subscribers.' : 'No subscriber matches.'}</p>`;
  return dataTable({
    caption: 'Subscribers',
    columns: ['Channel', 'User', 'State', 'Topics', 'Time zone', 'Since', 'Changed'],
    items,
    row: (s) =>
      html`<tr>
        <td>${s.channel}</td>
        <th scope="row">${s.userId}</th>
        <td>${s.state}</td>
        <td>
          ${s.topics.length ? s.topics.join(', ') : html`<span class="hint">everything</span>`}
        </td>
        <td>${s.timeZone ?? html`<span class="hint">the account's</span>`}</td>
        <td>${localTime(s.createdAt, timeZone)}</td>
        <td>${localTime(s.updatedAt, timeZone)}</td>
      </tr>`,
  });
}
