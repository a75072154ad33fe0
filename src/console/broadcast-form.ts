import { z } from 'zod';
import type { BroadcastRequest, DryRun } from '../broadcast/broadcast-types.ts';
import type { Entry } from '../content/entry.ts';
import { userId } from '../http/chat-routes.ts';
import { broadcastRequest, type AdminDeps } from '../http/admin-routes.ts';
import { HttpError, parseOr400 } from '../http/http-error.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { replyPreview } from './article-cards.ts';

export type ConsoleRequest = Extract<BroadcastRequest, { kind: 'manual' | 'preview' }>;

/** The new-broadcast form as typed, shown back with a dry run or a refusal. */
export interface BroadcastFormValues {
  entries: string[];
  audience: 'all' | 'topic' | 'preview';
  topic: string;
  user: string;
  channel: string;
}

export const EMPTY_BROADCAST: BroadcastFormValues = {
  entries: [],
  audience: 'all',
  topic: '',
  user: '',
  channel: '',
};

const list = (value: unknown) =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

export function readBroadcastForm(body: Record<string, unknown>): BroadcastFormValues {
  return {
    entries: list(body.entries),
    audience: body.audience === 'preview' || body.audience === 'topic' ? body.audience : 'all',
    topic: text(body.topic),
    user: text(body.user),
    channel: text(body.channel),
  };
}

const previewFields = z.object({
  user: userId,
  channel: z
    .string()
    .regex(/^([a-z][a-z0-9_-]{0,31})?$/, 'must be a channel name such as api or wechat'),
});

/** The request the form makes, checked as the admin API checks its body. */
export function toRequest(
  form: BroadcastFormValues,
  deps: Pick<AdminDeps, 'library'>,
): ConsoleRequest {
  const entries = form.entries.length ? form.entries.slice(0, 8) : undefined;
  if (form.audience === 'all') return broadcastRequest(deps, { entries });
  if (form.audience === 'topic') {
    if (!form.topic) throw new HttpError(400, 'topic: choose the topic whose followers get it');
    return broadcastRequest(deps, { entries, topic: form.topic });
  }
  const { user, channel } = parseOr400(previewFields, form, 'preview');
  return broadcastRequest(deps, { entries, preview: user, channel: channel || undefined });
}

/**
 * A new broadcast: the entries waiting to be broadcast (none ticked: all due), everyone or
 * one user as a preview, and two buttons: a dry run (nothing is sent) and send now.
 */
export function broadcastForm({
  values,
  due,
  topics,
  csrf,
  error,
}: {
  values: BroadcastFormValues;
  due: readonly Entry[];
  topics: readonly string[];
  csrf: string;
  error?: string;
}): SafeHtml {
  return html`<form method="post" action="/admin/broadcasts" class="broadcast-form">
    <input type="hidden" name="_csrf" value="${csrf}" />
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <fieldset>
      <legend>Entries (none ticked: all due, newest 8)</legend>
      ${
        due.length
          ? html`<ul class="choices">
              ${due.map(
                (entry) =>
                  html`<li>
                    <label
                      ><input
                        type="checkbox"
                        name="entries"
                        value="${entry.id}"
                        ${values.entries.includes(entry.id) ? html`checked` : ''}
                      />
                      ${entry.title} <code>${entry.id}</code></label
                    >
                  </li>`,
              )}
            </ul>`
          : html`<p class="muted">No published entry is waiting to be broadcast.</p>`
      }
    </fieldset>
    <fieldset>
      <legend>Audience</legend>
      <label
        ><input
          type="radio"
          name="audience"
          value="all"
          ${values.audience === 'all' ? html`checked` : ''}
        />
        Every active subscriber (each gets the entries of the topics they follow)</label
      >
      <label
        ><input
          type="radio"
          name="audience"
          value="topic"
          ${values.audience === 'topic' ? html`checked` : ''}
        />
        The followers of one topic</label
      >
      <div class="preview-fields">
        <label for="broadcast-topic">Topic</label>
        <select id="broadcast-topic" name="topic">
          <option value="">(choose)</option>
          ${topics.map(
            (topic) =>
              html`<option value="${topic}" ${values.topic === topic ? html`selected` : ''}>
                ${topic}
              </option>`,
          )}
        </select>
      </div>
      <label
        ><input
          type="radio"
          name="audience"
          value="preview"
          ${values.audience === 'preview' ? html`checked` : ''}
        />
        A preview to one user (outside the quota)</label
      >
      <div class="preview-fields">
        <label for="broadcast-user">User id</label>
        <input id="broadcast-user" name="user" value="${values.user}" />
        <label for="broadcast-channel">Channel</label>
        <input
          id="broadcast-channel"
          name="channel"
          value="${values.channel}"
          aria-describedby="broadcast-channel-hint"
        />
        <small id="broadcast-channel-hint">Left empty: every channel the user is known on</small>
      </div>
    </fieldset>
    <button type="submit" name="action" value="dry" class="secondary">Dry run</button>
    <button type="submit" name="action" value="send">Send now</button>
  </form>`;
}

/** What a dry run found: recipients by channel, the first of them, the quota, and the reply. */
export function dryRunReport(dry: DryRun): SafeHtml {
  const { quota } = dry;
  const uses = !quota.counted
    ? 'Outside the quota (a preview).'
    : quota.accountType === 'subscription'
      ? "Uses today's broadcast (a subscription account may broadcast once a day)."
      : `Uses one of each recipient's 4 broadcasts this month (service account).`;
  return html`<section class="dry-run" aria-labelledby="dry-run-title">
    <h2 id="dry-run-title">Dry run: nothing was sent</h2>
    <p>
      <strong>${dry.recipients}</strong> ${dry.recipients === 1 ? 'recipient' : 'recipients'}
      (${
        Object.entries(dry.byChannel)
          .map(([channel, count]) => `${channel}: ${count}`)
          .join(', ') || 'none'
      });
      ${dry.filtered} left out (their topics match none of the entries, or they are over quota).
    </p>
    <p>${uses}</p>
    ${
      quota.overQuota
        ? html`<p>
            Over quota this month: ${quota.overQuota}
            (${quota.overQuotaSample.map((r) => `${r.channel}:${r.userId}`).join(', ')}${
              quota.overQuota > quota.overQuotaSample.length ? ', …' : ''
            }).
          </p>`
        : ''
    }
    ${
      dry.sample.length
        ? html`<details>
            <summary>The first ${dry.sample.length} recipients</summary>
            <ul>
              ${dry.sample.map((r) => html`<li><code>${r.channel}:${r.userId}</code></li>`)}
            </ul>
          </details>`
        : ''
    }
    <h3>What they get</h3>
    ${replyPreview(dry.reply)}
  </section>`;
}
