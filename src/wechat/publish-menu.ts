import type { MenuButton } from '../content/rules.ts';
import type { WechatApiClient } from './api-client.ts';

/** The rules file has no menu (or an invalid one, which loading already reported). */
export class MenuEmptyError extends Error {
  constructor() {
    super('messages/rules.yaml has no menu to publish');
    this.name = 'MenuEmptyError';
  }
}

/**
 * Publishes the custom menu with `menu/create`. Not done at start: the platform limits how
 * often a menu may be created, and an operator publishes when the menu is ready.
 */
export function menuPublisher(
  client: WechatApiClient,
  menu: () => MenuButton[],
): () => Promise<number> {
  return async function publishMenu() {
    const buttons = menu();
    if (buttons.length === 0) throw new MenuEmptyError();
    await client.createMenu(buttons);
    return buttons.length;
  };
}
