import type { Clock } from '../../clock/clock.ts';
import type { CallbackClient, Exchange } from '../callback/callback-client.ts';
import { UNAVAILABLE_TEXT } from '../callback/target.ts';
import type { MenuButton } from '../platform/menu-rules.ts';
import type { TimelineItem } from '../store/timeline-store.ts';
import type { SimUser, UserChange } from '../store/user-store.ts';
import type { Timeline } from '../timeline/timeline.ts';
import type { Users } from '../users/users.ts';
import type { Action } from './action-schema.ts';
import { inboundFields } from './inbound-fields.ts';

/** An action that cannot be done: the status and the reason in words. */
export class ActionRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export interface ActionResult {
  exchange: Exchange;
  /** What the action put on the user's timeline: what they sent, then what they saw. */
  items: TimelineItem[];
}

interface Deps {
  users: Users;
  timeline: Timeline;
  callback: CallbackClient;
  clock: Clock;
  publishedMenu: () => Promise<{ buttons: MenuButton[]; publishedAt: Date } | undefined>;
  /** Whether the target has an AES key, which the `appid` break needs. */
  canEncrypt: boolean;
  /** Runs `work` in one transaction of the simulator's database. */
  atomically<T>(work: () => Promise<T>): Promise<T>;
}

/** Does what a user does on the phone: the callback to the account, the timeline, the state. */
export function createActions({
  users,
  timeline,
  callback,
  clock,
  publishedMenu,
  canEncrypt,
  atomically,
}: Deps) {
  /** `known`: the user as the caller just read them, which saves reading them again. */
  return async function act(
    openid: string,
    action: Action,
    known?: SimUser,
  ): Promise<ActionResult> {
    const user = known?.openid === openid ? known : await users.get(openid);
    if (!user) throw new ActionRefused(404, `no user ${openid}`);
    if (action.type === 'follow' && user.subscribed)
      throw new ActionRefused(409, `${user.nickname} already follows the account`);
    if (action.type !== 'follow' && !user.subscribed)
      throw new ActionRefused(409, `${user.nickname} does not follow the account: follow first`);
    if (action.break === 'appid' && !canEncrypt)
      throw new ActionRefused(
        400,
        'break appid encrypts for another AppID: the target needs an AES key',
      );
    const menuId = await menuCheck(action, publishedMenu);
    const now = clock.now();
    const { fields, isEvent, msgId } = inboundFields(action, { now, menuId });
    const { break: spoil, ...sent } = action;
    // The user's new state and what they sent: one commit, before the phone sends it.
    const sentItem = await atomically(async () => {
      await users.change(openid, stateChange(action, now));
      return timeline.add({
        openid,
        source: 'user',
        action: { ...sent, ...(msgId && { msgId }), ...(spoil && { break: spoil }) },
      });
    });
    const exchange = await callback.deliver(openid, fields, { isEvent, break: spoil });
    // The user's own item keeps its exchange too: the inspector opens it from either bubble,
    // also when the account answered nothing to show.
    // What the phone showed keeps the same exchange: one copy stored, one commit.
    const items = await timeline.settle(sentItem, { ...exchange }, outcomeItem(openid, exchange));
    return { exchange, items };
  };
}

/** A click or view must be a button of the published menu; answers the menu's id for VIEW. */
async function menuCheck(
  action: Action,
  published: () => Promise<{ buttons: MenuButton[]; publishedAt: Date } | undefined>,
): Promise<string | undefined> {
  if (action.type !== 'click' && action.type !== 'view') return undefined;
  // Read only for a menu action: a text does not pay for the menu's row.
  const menu = await published();
  const buttons = (menu?.buttons ?? []).flatMap((b) => [b, ...(b.sub_button ?? [])]);
  const found =
    action.type === 'click'
      ? buttons.some((b) => b.type === 'click' && b.key === action.key)
      : buttons.some((b) => b.type === 'view' && b.url === action.url);
  if (!found)
    throw new ActionRefused(
      400,
      action.type === 'click'
        ? `no button with key ${action.key} in the published menu`
        : `no button with URL ${action.url} in the published menu`,
    );
  return String(Math.floor(menu!.publishedAt.getTime() / 1000));
}

/** Messages open the 48-hour window; a follow, click or scan opens the event one. */
function stateChange(action: Action, now: Date): UserChange {
  switch (action.type) {
    case 'follow':
      return {
        subscribed: true,
        subscribeTime: now,
        subscribeScene: action.scene ? 'ADD_SCENE_QR_CODE' : 'ADD_SCENE_SEARCH',
        qrScene: action.scene,
        lastEventAt: now,
      };
    case 'unfollow':
      return { subscribed: false };
    case 'click':
    case 'scan':
      return { lastEventAt: now };
    case 'view':
      return {};
    default:
      return { lastMessageAt: now };
  }
}

/** What the phone shows after the exchange, or the platform's error; nothing for none. */
function outcomeItem(openid: string, exchange: Exchange) {
  const { verdict } = exchange;
  switch (verdict.outcome) {
    case 'none':
      return undefined;
    case 'shown':
      return { openid, source: 'reply' as const, message: verdict.message };
    case 'dropped':
      return {
        openid,
        source: 'error' as const,
        error: {
          kind: 'dropped' as const,
          rule: verdict.rule,
          message: `the platform dropped the reply: ${verdict.rule}`,
        },
      };
    case 'unavailable':
      return {
        openid,
        source: 'error' as const,
        error: { kind: 'unavailable' as const, message: UNAVAILABLE_TEXT },
        message: { msgtype: 'text', text: UNAVAILABLE_TEXT },
      };
    case 'refused':
      return {
        openid,
        source: 'error' as const,
        error: { kind: 'refused' as const, message: `the account refused it: ${verdict.reason}` },
      };
  }
}
