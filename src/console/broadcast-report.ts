import type { DeliveryItem } from '../broadcast/broadcast-store.ts';
import type { Broadcast } from '../broadcast/broadcast-types.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { localTime, replyPreview } from './article-cards.ts';
import { progressBox } from './broadcast-progress.ts';
import { dataTable } from './data-table.ts';

/** The history table, newest first, with the way to older ones. */
export function historyTable(
  items: readonly Broadcast[],
  { timeZone, pageSize }: { timeZone: string; pageSize: number },
): SafeHtml {
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">History</h2>
    ${
      items.length
        ? html`${dataTable({
            caption: 'Broadcasts, newest first',
            columns: ['Broadcast', 'Created', 'Entries', 'Progress'],
            items,
            row: (b) =>
              html`<tr>
                <td>
                  <a href="/admin/broadcasts/${b.id}">#${b.id}</a> ${b.kind}${
                    b.schedule ? html` <code>${b.schedule}</code>` : ''
                  }
                </td>
                <td>${localTime(b.createdAt, timeZone)}</td>
                <td>${b.entryIds.length}</td>
                <td>${progressBox(b)}${b.reason ? html`<small>${b.reason}</small>` : ''}</td>
              </tr>`,
          })}
          ${
            items.length === pageSize
              ? html`<a href="/admin/broadcasts?before=${items.at(-1)!.id}">Older broadcasts</a>`
              : ''
          }`
        : html`<p class="muted">No broadcast yet.</p>`
    }
  </section>`;
}

/**
 * One broadcast's report: its progress (live), cancel while it sends, the platform's and the
 * skip reasons, a paused channel, the cards, and one page of its deliveries.
 */
export function broadcastReport(
  broadcast: Broadcast,
  deliveries: readonly DeliveryItem[],
  {
    timeZone,
    csrf,
    after,
    pageSize,
    removedAfterDays,
  }: {
    timeZone: string;
    csrf: string;
    after: number | undefined;
    pageSize: number;
    /** Its deliveries were dropped by the retention sweep, this many days after it ended. */
    removedAfterDays?: number;
  },
): SafeHtml {
  const reasons = Object.entries(broadcast.skipReasons ?? {});
  const channelErrors = Object.entries(broadcast.channelErrors ?? {});
  return html`<p>
      <a href="/admin/broadcasts">All broadcasts</a> ·
      ${broadcast.kind}${
        broadcast.schedule ? html` (schedule <code>${broadcast.schedule}</code>)` : ''
      }
      · created
      ${localTime(broadcast.createdAt, timeZone)}${
        broadcast.finishedAt ? html` · finished ${localTime(broadcast.finishedAt, timeZone)}` : ''
      }
    </p>
    ${broadcast.reason ? html`<p>${broadcast.reason}</p>` : ''} ${progressBox(broadcast)}
    ${
      broadcast.status === 'sending'
        ? html`<form method="post" action="/admin/broadcasts/${broadcast.id}/cancel">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <button type="submit" class="danger">Cancel the deliveries not yet sent</button>
          </form>`
        : ''
    }
    ${
      broadcast.platform
        ? html`<p>
            The platform reported: ${broadcast.platform.sent} sent, ${broadcast.platform.failed}
            failed, ${broadcast.platform.filtered} filtered of ${broadcast.platform.total}.
          </p>`
        : ''
    }
    ${
      reasons.length
        ? html`<p>Skipped: ${reasons.map(([reason, count]) => html`${reason} (${count}) `)}</p>`
        : ''
    }
    ${channelErrors.map(
      ([channel, e]) =>
        html`<p class="error">
          ${channel}: the platform refused the account (${e.error}); paused until
          ${localTime(e.pausedUntil, timeZone)}.
        </p>`,
    )}
    ${
      broadcast.reply
        ? html`<h2>What they get</h2>
            ${replyPreview(broadcast.reply)}`
        : ''
    }
    ${
      removedAfterDays === undefined
        ? deliveryTable(broadcast.id, deliveries, { timeZone, after, pageSize })
        : html`<section aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">Deliveries</h2>
            <p class="muted">
              Its deliveries were removed ${removedAfterDays} days after it ended
              (<code>DELIVERIES_KEPT_DAYS</code>); the counts above remain.
            </p>
          </section>`
    }`;
}

/** One page of a broadcast's deliveries, with the way to the next. */
function deliveryTable(
  id: number,
  deliveries: readonly DeliveryItem[],
  { timeZone, after, pageSize }: { timeZone: string; after: number | undefined; pageSize: number },
): SafeHtml {
  return html`<section aria-labelledby="deliveries-title">
    <h2 id="deliveries-title">Deliveries</h2>
    ${
      deliveries.length
        ? html`${dataTable({
            caption: 'Deliveries of this broadcast',
            columns: ['Recipient', 'Status', 'Attempts', 'Settled', 'Error'],
            items: deliveries,
            row: (d) =>
              html`<tr>
                <td><code>${d.channel}:${d.userId}</code></td>
                <td>${d.status}</td>
                <td>${d.attempts}</td>
                <td>${d.settledAt ? localTime(d.settledAt, timeZone) : ''}</td>
                <td>${d.error ?? ''}</td>
              </tr>`,
          })}
          ${
            deliveries.length === pageSize
              ? html`<a href="/admin/broadcasts/${id}?after=${deliveries.at(-1)!.id}"
                  >Next ${pageSize} deliveries</a
                >`
              : ''
          }`
        : html`<p class="muted">No deliveries${after ? ' after these' : ''}.</p>`
    }
  </section>`;
}
