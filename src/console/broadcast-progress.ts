import type { Broadcast } from '../broadcast/broadcast-types.ts';
import { html, type SafeHtml } from '../web/html.ts';

/** How far a broadcast is: its settled deliveries of all; one with none is whole once it ends. */
export function percentDone(broadcast: Broadcast): number {
  const { total, pending } = broadcast.counts;
  if (total === 0) return broadcast.status === 'sending' ? 0 : 100;
  return Math.floor(((total - pending) / total) * 100);
}

/**
 * A broadcast's progress: a `<progress>` bar (no inline style: the page's CSP forbids it),
 * the share in words, its status and its counts. The same fragment is rendered into the
 * page and sent over the event stream as the broadcast moves.
 */
export function progressFragment(broadcast: Broadcast): SafeHtml {
  const { total, pending, sent, failed, skipped, cancelled, held } = broadcast.counts;
  const percent = percentDone(broadcast);
  const settled = total - pending;
  return html`<progress
      max="${Math.max(total, 1)}"
      value="${total === 0 ? (percent === 100 ? 1 : 0) : settled}"
      aria-label="Broadcast ${broadcast.id}: ${percent} %"
    ></progress>
    <span class="percent">${percent} %</span>
    <span class="badge ${broadcast.status}">${broadcast.status}</span>
    <span class="counts"
      >${settled} of ${total} settled: ${sent}
      sent${failed ? html`, ${failed} failed` : ''}${
        skipped ? html`, ${skipped} skipped` : ''
      }${cancelled ? html`, ${cancelled} cancelled` : ''}${
        held ? html`, ${held} held for quiet hours` : ''
      }</span
    >`;
}

/** The element a broadcast's progress lives in; the event stream swaps its content. */
export function progressBox(broadcast: Broadcast): SafeHtml {
  return html`<div
    class="progress"
    id="progress-${broadcast.id}"
    ${broadcast.status === 'sending' ? html`sse-swap="broadcast-${broadcast.id}"` : ''}
  >
    ${progressFragment(broadcast)}
  </div>`;
}
