import { Router } from 'express';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { localTime } from './local-time.ts';
import { consolePage } from './shell.ts';

/** Fire times shown per schedule, as `GET /admin/api/schedule` gives them. */
const UPCOMING = 10;

/**
 * Schedule: each schedule's next fire times in its own zone, and the clock. With the
 * simulated platform hosted, buttons move its clock (`POST /sim/api/clock`, sent by the
 * console's client with the page's CSRF token); the page then shows the new time.
 */
export function scheduleSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/schedule', (req, res) => {
    const schedules = deps.broadcasting.scheduler.upcoming(UPCOMING);
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Schedule',
        section: '/admin/schedule',
        body: html`<section class="panel" aria-labelledby="clock-heading">
            <h2 id="clock-heading">Clock</h2>
            <p class="clock-now">
              Now: <strong id="clock-now">${localTime(deps.now(), deps.timeZone)}</strong>
              <span class="hint">(${deps.timeZone}${deps.simulated ? ', simulated' : ''})</span>
            </p>
            ${
              deps.simulated
                ? html`<div class="button-row" data-time-travel>
                      <button type="button" data-clock-advance="1h">Advance 1 hour</button>
                      <button type="button" data-clock-advance="1d">Advance 1 day</button>
                      <button type="button" data-clock-next-tick>To the next tick</button>
                    </div>
                    <p id="clock-status" role="status" aria-live="polite"></p>`
                : html`<p class="hint">
                    Time travel needs the simulated platform (SIMULATOR=on); this clock is the real
                    one.
                  </p>`
            }
          </section>
          ${
            schedules.length === 0
              ? html`<p>No schedules: set BROADCAST_CRON to broadcast on a schedule.</p>`
              : schedules.map(
                  (schedule) =>
                    html`<section class="panel" aria-label="Schedule ${schedule.name}">
                      <h2>${schedule.name} <span class="hint">(${schedule.kind})</span></h2>
                      <p><code>${schedule.expression}</code> in ${schedule.timeZone}</p>
                      <ol class="fire-times" aria-label="Next fire times of ${schedule.name}">
                        ${schedule.next.map(
                          (at) => html`<li>${localTime(at, schedule.timeZone)}</li>`,
                        )}
                      </ol>
                    </section>`,
                )
          }`,
      }),
    );
  });
  return router;
}
