import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './fakes.ts';

const CLICK = { type: 'click', name: 'News', key: 'NEWS' };
const VIEW = { type: 'view', name: 'Site', url: 'https://example.org/' };
const MENU = {
  button: [CLICK, { name: 'More', sub_button: [VIEW, { ...CLICK, name: '最新动态' }] }],
};
import { DATABASES } from '../sim-storage-fixture.ts';

describe.each(DATABASES)('the platform on %s', (kind) => {
  let p: TestPlatform;
  let token: string;
  beforeEach(async () => {
    p = await startPlatform({ kind });
    token = await p.token();
  });
  afterEach(() => p.close());

  const create = (menu: unknown) => p.call('menu/create', { token, body: menu });

  describe('menu/create and the menu queries', () => {
    it('publishes a menu that menu/get, get_current_selfmenu_info and publishedMenu show', async () => {
      expect(await create(MENU)).toEqual({ errcode: 0, errmsg: 'ok' });
      const got = await p.call('menu/get', { token });
      expect(got.menu).toEqual({
        button: [
          { ...CLICK, sub_button: [] },
          { name: 'More', sub_button: [VIEW, { ...CLICK, name: '最新动态' }] },
        ],
      });
      const self = await p.call('get_current_selfmenu_info', { token });
      expect(self).toEqual({
        is_menu_open: 1,
        selfmenu_info: {
          button: [
            CLICK,
            { name: 'More', sub_button: { list: [VIEW, { ...CLICK, name: '最新动态' }] } },
          ],
        },
      });
      expect((await p.api.publishedMenu())?.buttons).toEqual(MENU.button);
      expect((await p.api.publishedMenu())?.publishedAt).toEqual(p.clock.now());
    });

    it('forgets the menu on menu/delete (menu/get then answers 46003)', async () => {
      await create(MENU);
      expect((await p.call('menu/delete', { token })).errcode).toBe(0);
      expect((await p.call('menu/get', { token })).errcode).toBe(46003);
      expect(await p.api.publishedMenu()).toBeUndefined();
      expect((await p.call('get_current_selfmenu_info', { token })).is_menu_open).toBe(0);
    });

    const sub = (button: Record<string, unknown>) => ({
      button: [{ name: 'Sub', sub_button: [button] }],
    });
    it.each([
      ['no buttons', { button: [] }, 40016],
      ['four buttons', { button: [CLICK, CLICK, CLICK, CLICK] }, 40016],
      ['a button of an unknown type', { button: [{ ...CLICK, type: 'teleport' }] }, 40017],
      ['a button without a type', { button: [{ name: 'x' }] }, 40017],
      ['a button name over 16 bytes', { button: [{ ...CLICK, name: '五个中文字符' }] }, 40018],
      ['an empty button name', { button: [{ ...CLICK, name: '' }] }, 40018],
      ['a click key over 128 bytes', { button: [{ ...CLICK, key: 'k'.repeat(129) }] }, 40019],
      ['a click without a key', { button: [{ type: 'click', name: 'x' }] }, 40019],
      [
        'a view url over 1,024 bytes',
        { button: [{ ...VIEW, url: `https://e.x/${'u'.repeat(1024)}` }] },
        40020,
      ],
      ['six sub-buttons', { button: [{ name: 'Sub', sub_button: Array(6).fill(CLICK) }] }, 40023],
      ['a sub-button of an unknown type', sub({ ...CLICK, type: 'nope' }), 40024],
      ['a sub-button name over 60 bytes', sub({ ...CLICK, name: 'n'.repeat(61) }), 40025],
      ['a sub-button key over 128 bytes', sub({ ...CLICK, key: 'k'.repeat(129) }), 40026],
      ['a sub-button url over 1,024 bytes', sub({ ...VIEW, url: 'u'.repeat(1025) }), 40027],
    ])('refuses %s', async (_, menu, code) => {
      expect((await create(menu)).errcode).toBe(code);
      expect(await p.api.publishedMenu()).toBeUndefined();
    });

    it('takes names at their byte limits: 16 for a button, 60 for a sub-button', async () => {
      const menu = {
        button: [{ name: '四个汉字', sub_button: [{ ...CLICK, name: 'n'.repeat(60) }] }],
      };
      expect((await create(menu)).errcode).toBe(0);
    });

    it('refuses a menu whose JSON escapes Chinese as \\u (40033), and takes an escaped backslash', async () => {
      const escaped = '{"button":[{"type":"click","name":"\\u65b0\\u95fb","key":"NEWS"}]}';
      const answer = await p.call('menu/create', { token, raw: escaped });
      expect(answer.errcode).toBe(40033);
      const backslash = '{"button":[{"type":"view","name":"Docs","url":"https://e.x/a\\\\u0041"}]}';
      expect((await p.call('menu/create', { token, raw: backslash })).errcode).toBe(0);
    });
  });
});
