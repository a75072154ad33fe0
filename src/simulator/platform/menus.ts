import { OK, bodyOf, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { createMenuStore } from './menu-store.ts';
import type { EventSink } from './ports.ts';
import { validateMenu, type MenuButton } from './menu-rules.ts';

type MenuStore = ReturnType<typeof createMenuStore>;

/** `\u4e2d` in the JSON text, not preceded by an escaping backslash. */
const UNICODE_ESCAPE = /(?<!\\)(?:\\\\)*\\u[0-9a-fA-F]{4}/;

/**
 * `menu/create`, `menu/get`, `get_current_selfmenu_info`, `menu/delete`. A change is told
 * to the live stream (`menu`), so open phones show the new menu at once.
 */
export function menuApi(store: MenuStore, events?: EventSink): ApiTable {
  const current = async () => {
    const menu = await store.get();
    if (!menu) throw new PlatformError(46003, 'no menu is published');
    return menu;
  };
  return {
    'menu/create': {
      token: true,
      body: true,
      async handle(request) {
        // The platform takes menu names as UTF-8 and refuses JSON's \u escapes.
        if (UNICODE_ESCAPE.test(request.raw))
          throw new PlatformError(40033, 'the menu JSON has \\u escapes; send UTF-8 as is');
        const buttons = validateMenu(bodyOf(request));
        await store.put(buttons, request.now);
        events?.emit('menu', { buttons: buttons.length, at: request.now.toISOString() });
        return OK;
      },
    },
    'menu/get': {
      token: true,
      handle: async () => ({
        menu: {
          button: (await current()).buttons.map((b) => ({ ...b, sub_button: b.sub_button ?? [] })),
        },
      }),
    },
    get_current_selfmenu_info: {
      token: true,
      async handle() {
        const menu = await store.get();
        if (!menu) return { is_menu_open: 0, selfmenu_info: { button: [] } };
        return { is_menu_open: 1, selfmenu_info: { button: menu.buttons.map(selfMenuButton) } };
      },
    },
    'menu/delete': {
      token: true,
      async handle(request) {
        await store.clear();
        events?.emit('menu', { buttons: 0, at: request.now.toISOString() });
        return OK;
      },
    },
  };
}

/** This API nests sub-buttons as `{sub_button: {list: [...]}}`, unlike `menu/get`. */
function selfMenuButton(button: MenuButton): Json {
  const { sub_button: subs, ...rest } = button;
  return subs ? { name: button.name, sub_button: { list: subs } } : rest;
}
