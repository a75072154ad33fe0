import type { MenuButton, ReplySpec } from '../content/rules.ts';
import { html, type SafeHtml } from '../web/html.ts';

/**
 * The custom menu as a phone shows it: a bar of up to 3 buttons at the bottom of the
 * conversation; a button with sub-buttons opens them above it (a `<details>`, so a
 * keyboard opens it too). A click button asks for its reply (htmx) and shows it in the
 * phone; a view button is a link to its page, opened in a new tab (the console stays).
 */
export function menuPreview(
  menu: readonly MenuButton[],
  replyUrl: string,
  accountName: string,
): SafeHtml {
  const leaf = (button: MenuButton): SafeHtml => {
    if ('view' in button)
      return html`<a
        class="menu-button"
        href="${button.view}"
        target="_blank"
        rel="noopener noreferrer"
        title="opens ${button.view} in a new tab"
        >${button.name}</a
      >`;
    if ('click' in button)
      return html`<button
        type="button"
        class="menu-button"
        hx-get="${replyUrl}?key=${encodeURIComponent(button.click)}"
        hx-target="#phone-chat"
      >
        ${button.name}
      </button>`;
    return html``;
  };
  return html`<div class="phone" aria-label="The menu as a phone shows it" role="group">
    <div class="phone-header">${accountName}</div>
    <div class="phone-chat" id="phone-chat" aria-live="polite">
      <p class="muted">Click a menu button to see its reply.</p>
    </div>
    <nav class="phone-menu" aria-label="Custom menu">
      ${
        menu.length
          ? menu.map((button) =>
              'subButtons' in button
                ? html`<details class="menu-group">
                    <summary class="menu-button">${button.name}</summary>
                    <ul>
                      ${button.subButtons.map((sub) => html`<li>${leaf(sub)}</li>`)}
                    </ul>
                  </details>`
                : leaf(button),
            )
          : html`<span class="muted">rules.yaml has no menu.</span>`
      }
    </nav>
  </div>`;
}

/** The click buttons of a menu with their replies, by key. */
export function clickReplies(menu: readonly MenuButton[]): Map<string, ReplySpec[]> {
  const keys = new Map<string, ReplySpec[]>();
  const walk = (buttons: readonly MenuButton[]) => {
    for (const button of buttons) {
      if ('subButtons' in button) walk(button.subButtons);
      else if ('click' in button) keys.set(button.click, button.replies);
    }
  };
  walk(menu);
  return keys;
}

/** A reply as written in the rules, in words: what an operator reads in the rules table. */
export function describeSpec(spec: ReplySpec): string {
  if ('text' in spec) return spec.text;
  if ('entries' in spec) return `entries: ${spec.entries.join(', ')}`;
  return `the latest ${spec.latest}${spec.topic ? ` of ${spec.topic}` : ''}`;
}
