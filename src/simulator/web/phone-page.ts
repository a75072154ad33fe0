import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';

/**
 * The phone page's static shell: the clock bar, the users list, the row of phones and the
 * inspector, empty. The client script (`client/main.ts`) fills them from the control API's
 * JSON and keeps them live over its event stream.
 */
export function phonePage({ csrf, title }: { csrf: string; title: string }): string {
  return layout({
    title,
    csrf,
    styles: ['/assets/phone/phone.css'],
    scripts: ['/assets/phone/phone.js'],
    bodyClass: 'phone-app',
    body: html`<header class="clock-bar" aria-label="Virtual clock">
        <p class="clock-now">
          <span class="label">Virtual time</span>
          <time id="clock-now">…</time>
        </p>
        <p class="clock-ticks" id="clock-ticks" hidden>
          <span class="label">Next ticks</span>
          <span id="clock-tick-list"></span>
        </p>
        <div class="clock-buttons" role="group" aria-label="Advance the clock">
          <button type="button" data-advance="1h">+1 hour</button>
          <button type="button" data-advance="1d">+1 day</button>
          <button type="button" id="clock-next" hidden>To the next tick</button>
        </div>
        <p class="live" id="live-state" role="status">connecting…</p>
      </header>
      <div class="panes">
        <nav class="users" aria-labelledby="users-title">
          <h2 id="users-title">Simulated users</h2>
          <form id="new-user" class="inline-form">
            <label for="new-user-name">New user</label>
            <input
              id="new-user-name"
              name="nickname"
              maxlength="64"
              placeholder="nickname"
              required
            />
            <button type="submit">Add</button>
          </form>
          <form id="new-population" class="inline-form">
            <label for="population-count">New population</label>
            <input
              id="population-count"
              name="count"
              type="number"
              min="1"
              max="10000"
              value="5"
              required
            />
            <button type="submit">Create</button>
          </form>
          <p id="users-total" class="muted"></p>
          <ul id="user-list" class="user-list"></ul>
        </nav>
        <main id="phones" class="phones" aria-label="Phones">
          <p class="empty-hint" id="phones-hint">Choose a user, or add one, to open their phone.</p>
        </main>
        <aside id="inspector" class="inspector" aria-labelledby="inspector-title" hidden>
          <h2 id="inspector-title" tabindex="-1">Inspector</h2>
          <div id="inspector-body"></div>
        </aside>
      </div>`,
  }).text;
}
