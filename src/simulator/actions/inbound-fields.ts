import { randomBytes, randomInt } from 'node:crypto';
import type { XmlValue } from '../../wire/xml-build.ts';
import type { Action } from './action-schema.ts';

/**
 * A 64-bit MsgId as the platform writes them: 19 digits, beyond a double's exact
 * integers, so an account that reads it as a number shows it at once.
 */
export function newMsgId(now: Date): string {
  return `2${String(now.getTime()).padStart(13, '0')}${String(randomInt(0, 100_000)).padStart(5, '0')}`;
}

const mediaId = () => randomBytes(24).toString('base64url');
const ticket = () => `gQ${randomBytes(30).toString('base64url')}`;

/** The message or event fields of an action, after ToUserName, FromUserName and CreateTime. */
export function inboundFields(
  action: Action,
  { now, menuId }: { now: Date; menuId?: string },
): { fields: Record<string, XmlValue>; isEvent: boolean; msgId?: string } {
  const event = (fields: Record<string, XmlValue>) => ({
    fields: { MsgType: 'event', ...fields },
    isEvent: true,
  });
  const message = (type: string, fields: Record<string, XmlValue>) => {
    const msgId = newMsgId(now);
    return { fields: { MsgType: type, ...fields, MsgId: msgId }, isEvent: false, msgId };
  };
  switch (action.type) {
    case 'follow':
      return event(
        action.scene
          ? { Event: 'subscribe', EventKey: `qrscene_${action.scene}`, Ticket: ticket() }
          : { Event: 'subscribe', EventKey: '' },
      );
    case 'unfollow':
      return event({ Event: 'unsubscribe', EventKey: '' });
    case 'click':
      return event({ Event: 'CLICK', EventKey: action.key });
    case 'view':
      return event({ Event: 'VIEW', EventKey: action.url, ...(menuId && { MenuId: menuId }) });
    case 'scan':
      return event({ Event: 'SCAN', EventKey: action.scene, Ticket: ticket() });
    case 'text':
      return message('text', { Content: action.text });
    case 'image':
      return message('image', {
        PicUrl: action.picUrl ?? `http://mmbiz.qpic.cn/sim/${mediaId()}/0`,
        MediaId: action.mediaId ?? mediaId(),
      });
    case 'voice':
      return message('voice', {
        MediaId: action.mediaId ?? mediaId(),
        Format: action.format ?? 'amr',
        ...(action.recognition !== undefined && { Recognition: action.recognition }),
      });
    case 'location':
      return message('location', {
        Location_X: action.x,
        Location_Y: action.y,
        Scale: action.scale ?? 15,
        Label: action.label ?? '',
      });
    case 'link':
      return message('link', {
        Title: action.title,
        Description: action.description ?? '',
        Url: action.url,
      });
  }
}
