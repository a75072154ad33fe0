import type { MenuButton } from '../content/rules.ts';

/** A button as `menu/create` takes it. */
export type PlatformButton =
  | { type: 'click'; name: string; key: string }
  | { type: 'view'; name: string; url: string }
  | { name: string; sub_button: PlatformButton[] };

/** The menu of `messages/rules.yaml` in the platform's JSON: `{button: [...]}`. */
export function menuToPlatform(menu: MenuButton[]): { button: PlatformButton[] } {
  return { button: menu.map(toButton) };
}

function toButton(button: MenuButton): PlatformButton {
  if ('subButtons' in button)
    return { name: button.name, sub_button: button.subButtons.map(toButton) };
  if ('click' in button) return { type: 'click', name: button.name, key: button.click };
  return { type: 'view', name: button.name, url: button.view };
}
