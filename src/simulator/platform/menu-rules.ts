import { bytes, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';

/** A button as `menu/create` takes it and `menu/get` gives it back. */
export interface MenuButton {
  name: string;
  type?: string;
  key?: string;
  url?: string;
  media_id?: string;
  article_id?: string;
  appid?: string;
  pagepath?: string;
  sub_button?: MenuButton[];
}

/** Menu limits (自定义菜单): 3 buttons of up to 5 sub-buttons; sizes in UTF-8 bytes. */
export const MENU_LIMITS = {
  buttons: 3,
  subButtons: 5,
  nameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
} as const;

const KEY_TYPES = new Set([
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
]);
const OTHER_TYPES = new Set([
  'view',
  'media_id',
  'article_id',
  'article_view_limited',
  'miniprogram',
]);

/** The codes for a top-level button and for a sub-button: the platform tells them apart. */
const CODES = {
  top: { type: 40017, name: 40018, key: 40019, url: 40020 },
  sub: { type: 40024, name: 40025, key: 40026, url: 40027 },
} as const;

/** Checks a `menu/create` body as the platform does; returns the menu to publish. */
export function validateMenu(body: Json): MenuButton[] {
  const buttons = body.button;
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > MENU_LIMITS.buttons)
    throw new PlatformError(40016, `a menu has 1 to ${MENU_LIMITS.buttons} buttons`);
  return buttons.map((button, i) => {
    const top = asObject(button, 40017, `button ${i + 1} is not an object`);
    const subs = top.sub_button;
    if (Array.isArray(subs) && subs.length > 0) {
      const name = checkName(top, 'top', i);
      if (subs.length > MENU_LIMITS.subButtons)
        throw new PlatformError(
          40023,
          `button ${i + 1} has ${subs.length} sub-buttons; at most ${MENU_LIMITS.subButtons}`,
        );
      return {
        name,
        sub_button: subs.map((sub, j) =>
          leaf(asObject(sub, 40024, `sub-button ${j + 1} is not an object`), 'sub', j),
        ),
      };
    }
    return leaf(top, 'top', i);
  });
}

function leaf(button: Json, level: 'top' | 'sub', i: number): MenuButton {
  const codes = CODES[level];
  const where = `${level === 'top' ? 'button' : 'sub-button'} ${i + 1}`;
  const name = checkName(button, level, i);
  const type = button.type;
  if (typeof type !== 'string' || !(KEY_TYPES.has(type) || OTHER_TYPES.has(type)))
    throw new PlatformError(codes.type, `${where} has no valid type`);
  const result: MenuButton = { type, name };
  if (KEY_TYPES.has(type)) {
    const key = button.key;
    if (typeof key !== 'string' || !key || bytes(key) > MENU_LIMITS.keyBytes)
      throw new PlatformError(codes.key, `${where}'s key must be 1 to 128 bytes`);
    result.key = key;
  }
  if (type === 'view' || type === 'miniprogram') {
    const url = button.url;
    if (typeof url !== 'string' || !url || bytes(url) > MENU_LIMITS.urlBytes)
      throw new PlatformError(codes.url, `${where}'s url must be 1 to 1024 bytes`);
    result.url = url;
  }
  for (const field of ['media_id', 'article_id', 'appid', 'pagepath'] as const)
    if (typeof button[field] === 'string') result[field] = button[field];
  return result;
}

function checkName(button: Json, level: 'top' | 'sub', i: number): string {
  const max = level === 'top' ? MENU_LIMITS.nameBytes : MENU_LIMITS.subNameBytes;
  const name = button.name;
  if (typeof name !== 'string' || !name || bytes(name) > max)
    throw new PlatformError(
      CODES[level].name,
      `${level === 'top' ? 'button' : 'sub-button'} ${i + 1}'s name must be 1 to ${max} bytes`,
    );
  return name;
}

function asObject(value: unknown, errcode: number, reason: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PlatformError(errcode, reason);
  return value as Json;
}
