import { html, type SafeHtml } from '../web/html.ts';
import { wallClock, zonedIso } from '../time/time-zone.ts';

/** `2026-03-10 09:00` as `timeZone` sees the instant, in a `<time>` that carries it exactly. */
export function localTime(instant: Date, timeZone: string): SafeHtml {
  return html`<time datetime="${zonedIso(instant, timeZone)}"
    >${wallClock(instant, timeZone).slice(0, 16).replace('T', ' ')}</time
  >`;
}
