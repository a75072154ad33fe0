import type { Entry } from '../content/entry.ts';
import { isPublished } from '../content/published.ts';
import { toArticle } from '../engine/reply-specs.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { localTime, replyPreview } from './article-cards.ts';
import type { ConsoleDeps } from './console-routes.ts';

export const SECTION = '/admin/entries';

type Deps = Pick<ConsoleDeps, 'now' | 'timeZone' | 'broadcasting' | 'publicUrl'>;

/** Published, or scheduled (with when) while its date is still ahead. */
export function entryStatus(entry: Entry, deps: Deps): SafeHtml {
  if (!isPublished(entry, deps.now()))
    return html`<span class="badge scheduled"
      >scheduled for ${localTime(entry.publishedAt, deps.timeZone)}</span
    >`;
  return html`<span class="badge published">published</span>`;
}

/** The ledger's word on an entry: the broadcast that sent it, when, to how many. */
export async function entryLedger(entry: Entry, deps: Deps): Promise<SafeHtml> {
  const sent = await deps.broadcasting.ledger.broadcastOf(entry.id);
  if (!sent) return html`<span class="muted">not broadcast</span>`;
  const broadcast = await deps.broadcasting.store.get(sent.broadcastId);
  return html`<a href="/admin/broadcasts/${sent.broadcastId}">broadcast #${sent.broadcastId}</a>
    ${localTime(sent.at, deps.timeZone)}${
      broadcast ? html`, to ${broadcast.counts.total} (${broadcast.counts.sent} sent)` : ''
    }`;
}

/** An entry as the card a user gets. */
export const entryCard = (entry: Entry, deps: Deps): SafeHtml =>
  replyPreview({ type: 'articles', articles: [toArticle(entry, deps.publicUrl ?? '')] });

/** The list page's content: the search, and each entry found as its card with its state. */
export async function entryList(
  found: readonly Entry[],
  { q, saved }: { q: string; saved: string | undefined },
  deps: Deps,
): Promise<SafeHtml> {
  const ledger = await Promise.all(found.map((entry) => entryLedger(entry, deps)));
  return html`${saved ? html`<p class="notice" role="status">Entry “${saved}” saved.</p>` : ''}
    <div class="toolbar">
      <form method="get" action="${SECTION}" role="search">
        <label for="entry-search">Search entries</label>
        <input id="entry-search" type="search" name="q" value="${q}" />
        <button type="submit">Search</button>
      </form>
      <a class="button" href="${SECTION}/new">New entry</a>
    </div>
    <p class="muted">
      ${found.length} ${found.length === 1 ? 'entry' : 'entries'}${q ? html` for “${q}”` : ''},
      newest first; each as the card a user gets.
    </p>
    <ul class="entry-list">
      ${found.map(
        (entry, i) =>
          html`<li class="entry-row" data-entry="${entry.id}">
            ${entryCard(entry, deps)}
            <div class="entry-meta">
              <a href="${SECTION}/${entry.id}"
                >Edit <span class="visually-hidden">${entry.title}</span></a
              >
              <code>${entry.id}</code> · ${localTime(entry.publishedAt, deps.timeZone)} ·
              ${entryStatus(entry, deps)} · ${ledger[i]}
            </div>
          </li>`,
      )}
    </ul>`;
}

/** Beside the editor of an existing entry: what a user gets, and its state. */
export async function entryAside(entry: Entry, deps: Deps): Promise<SafeHtml> {
  const ledger = await entryLedger(entry, deps);
  return html`<section aria-labelledby="card-title">
    <h2 id="card-title">What a user gets</h2>
    ${entryStatus(entry, deps)} · ${ledger} ${entryCard(entry, deps)}
  </section>`;
}
