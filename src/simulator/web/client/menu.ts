import { h } from './dom.ts';
import type { MenuButton } from './types.ts';

export type MenuAction = { type: 'click'; key: string } | { type: 'view'; url: string };

/** Only a web page opens: the platform takes any URL, a `javascript:` one included. */
const WEB_PAGE = /^https?:\/\//i;

function actionOf(button: MenuButton): MenuAction | undefined {
  if (button.type === 'click' && button.key) return { type: 'click', key: button.key };
  if (button.type === 'view' && button.url && WEB_PAGE.test(button.url))
    return { type: 'view', url: button.url };
  return undefined;
}

/**
 * The published custom menu at the bottom of a phone: a button with sub-buttons pops them
 * up (Escape or a second press closes them); CLICK and VIEW buttons act. A VIEW button is
 * a link: as WeChat does, it sends its event and opens its page, here in a new tab.
 */
export function menuBar(buttons: MenuButton[], act: (action: MenuAction) => void): HTMLElement {
  const bar = h('nav', { class: 'menu-bar', 'aria-label': 'Menu' });
  let openPopup: { popup: HTMLElement; trigger: HTMLButtonElement } | undefined;
  const close = () => {
    if (!openPopup) return;
    openPopup.popup.hidden = true;
    openPopup.trigger.setAttribute('aria-expanded', 'false');
    openPopup = undefined;
  };
  const leaf = (button: MenuButton, cls: string) => {
    const action = actionOf(button);
    const onclick = () => {
      close();
      if (action) act(action);
    };
    if (action?.type === 'view')
      return h(
        'a',
        {
          class: `${cls} menu-view`,
          href: action.url,
          target: '_blank',
          rel: 'noopener noreferrer',
          title: `opens ${action.url} in a new tab`,
          onclick,
        },
        button.name,
      );
    const title =
      button.type === 'view'
        ? 'a view button opens only an http(s) page'
        : `a ${button.type ?? 'button'} button does nothing here`;
    return h(
      'button',
      { type: 'button', class: cls, disabled: !action, title: action ? undefined : title, onclick },
      button.name,
    );
  };
  for (const button of buttons) {
    const subs = button.sub_button ?? [];
    if (subs.length === 0) {
      bar.append(h('div', { class: 'menu-slot' }, leaf(button, 'menu-button')));
      continue;
    }
    const popup = h(
      'div',
      { class: 'menu-popup', hidden: true },
      ...subs.map((sub) => leaf(sub, 'menu-sub')),
    );
    const trigger = h(
      'button',
      { type: 'button', class: 'menu-button has-subs', 'aria-expanded': 'false' },
      button.name,
    );
    trigger.addEventListener('click', () => {
      const wasOpen = openPopup?.popup === popup;
      close();
      if (wasOpen) return;
      popup.hidden = false;
      trigger.setAttribute('aria-expanded', 'true');
      openPopup = { popup, trigger };
      popup.querySelector<HTMLElement>('button:not([disabled]), a[href]')?.focus();
    });
    const slot = h('div', { class: 'menu-slot' }, popup, trigger);
    slot.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && openPopup) {
        const back = openPopup.trigger;
        close();
        back.focus();
      }
    });
    bar.append(slot);
  }
  return bar;
}
