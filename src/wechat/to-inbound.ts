import type { Inbound, InboundMedia } from '../engine/types.ts';
import type { XmlFields } from '../wire/xml-parse.ts';

export const WECHAT_CHANNEL = 'wechat';

/** A callback that lacks a field every callback of its type carries. */
export class CallbackFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackFieldError';
  }
}

/** The platform's report at the end of a mass send (`MASSSENDJOBFINISH`), for the broadcast records. */
export interface MassSendReport {
  /** The `msg_id` the mass-send call returned. */
  msgId: string;
  /** `send success`, `send fail` or `err(<code>)`, as the platform words it. */
  status: string;
  totalCount: number;
  filterCount: number;
  sentCount: number;
  errorCount: number;
  at: Date;
}

/** What one callback is, once its fields are read. */
export type Callback = {
  /** The account's original id (`gh_...`) and the user's OpenID, to swap in the reply. */
  account: string;
  user: string;
  /** `CreateTime`, seconds since the epoch, as sent. */
  createTime: string;
  /** The retry key: the same for the platform's retries of one message or event. */
  dedupKey: string;
  /** A message (rather than an event): its news reply may carry 1 article, not 8. */
  isMessage: boolean;
} & (
  | { type: 'inbound'; inbound: Inbound }
  | { type: 'mass-send-report'; report: MassSendReport }
  | { type: 'unknown'; what: string }
);

const USER_ID = /^[\p{L}\p{N}_.@:+=-]{1,128}$/u;
const DIGITS = /^\d{1,20}$/;
const MAX_MSG_ID = 2n ** 64n - 1n;
/** The platform's counts fit a JS number exactly; a count past this is not one it sends. */
const MAX_COUNT = 1_000_000_000;

/**
 * The window a `CreateTime` (whole seconds since the epoch) must fall in: no platform
 * message predates 2000 or postdates 2100. A fixed window, not one around our clock: the
 * simulator's clock may travel, and a stale retry is the dedup's business, not this one's.
 */
export const CREATE_TIME_MIN_S = 946_684_800; // 2000-01-01T00:00:00Z
export const CREATE_TIME_MAX_S = 4_102_444_800; // 2100-01-01T00:00:00Z

/** `CreateTime` as a Date, or a refusal naming the field and its rule. */
export function createTimeOf(value: string): Date {
  const seconds = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= CREATE_TIME_MIN_S && seconds < CREATE_TIME_MAX_S))
    throw new CallbackFieldError(
      'CreateTime must be whole seconds since 1970 (1 to 10 digits), between 2000 and 2100',
    );
  return new Date(seconds * 1000);
}
const QR_SCENE_PREFIX = 'qrscene_';

/** Maps a callback's fields to the engine's Inbound (or a report, or an unknown type). */
export function toCallback(fields: XmlFields): Callback {
  const account = need(fields, 'ToUserName');
  const user = need(fields, 'FromUserName');
  if (!USER_ID.test(user)) throw new CallbackFieldError('FromUserName is not an OpenID');
  const createTime = need(fields, 'CreateTime');
  const time = createTimeOf(createTime);
  const msgType = need(fields, 'MsgType');
  const base = { channel: WECHAT_CHANNEL, user, time };
  const common = { account, user, createTime };

  if (msgType === 'event') {
    const event = need(fields, 'Event');
    const eventKey = fields.EventKey ?? '';
    // Events carry no MsgId: the platform's retries repeat sender, time, event and key.
    // Time first, as in message keys: new keys land at the end of the table's index.
    const dedupKey = `e|${createTime}|${user}|${event}|${eventKey}`;
    const inbound = (e: Inbound & { kind: 'event' }) =>
      ({ ...common, dedupKey, isMessage: false, type: 'inbound', inbound: e }) as const;
    const key = eventKey || undefined;
    switch (event) {
      case 'subscribe': // follow; from a parametric QR code, EventKey is `qrscene_<scene>`
        return inbound({
          ...base,
          kind: 'event',
          event: 'follow',
          key: key?.startsWith(QR_SCENE_PREFIX) ? key.slice(QR_SCENE_PREFIX.length) : key,
        });
      case 'unsubscribe':
        return inbound({ ...base, kind: 'event', event: 'unfollow' });
      case 'SCAN': // a follower scanned a parametric QR code; EventKey is the scene
        return inbound({ ...base, kind: 'event', event: 'scan', key });
      case 'LOCATION': // reported location, when the account asks for it
        return inbound({
          ...base,
          kind: 'event',
          event: 'location',
          key: `${need(fields, 'Latitude')},${need(fields, 'Longitude')}`,
        });
      case 'CLICK': // a click menu button; EventKey is its key
        return inbound({ ...base, kind: 'event', event: 'click', key: need(fields, 'EventKey') });
      case 'VIEW': // a link menu button; EventKey is its URL
        return inbound({ ...base, kind: 'event', event: 'view', key: need(fields, 'EventKey') });
      case 'MASSSENDJOBFINISH': {
        // The end of a mass send; note `MsgID`, not `MsgId`. Jobs sent together finish
        // together: their reports share sender and second, so the job's id is in the key.
        const msgId = msgIdOf(need(fields, 'MsgID'));
        return {
          ...common,
          dedupKey: `${dedupKey}|${msgId}`,
          isMessage: false,
          type: 'mass-send-report',
          report: {
            msgId,
            status: fields.Status ?? '',
            totalCount: count(fields, 'TotalCount'),
            filterCount: count(fields, 'FilterCount'),
            sentCount: count(fields, 'SentCount'),
            errorCount: count(fields, 'ErrorCount'),
            at: time,
          },
        };
      }
      default:
        return { ...common, dedupKey, isMessage: false, type: 'unknown', what: `event ${event}` };
    }
  }

  const msgId = need(fields, 'MsgId');
  if (!DIGITS.test(msgId) || BigInt(msgId) > MAX_MSG_ID)
    throw new CallbackFieldError('MsgId must be a 64-bit whole number (digits only)');
  // MsgId stays a string: it is a 64-bit number, past what a JS number holds exactly.
  // It grows with time, so keys that lead with it land at the end of the table's index
  // (a few pages written per commit, not one per row); the sender guards against a
  // platform (or simulator) whose ids are unique per user only.
  const dedupKey = `m|${msgId.padStart(20, '0')}|${user}`;
  const message = (inbound: Inbound) =>
    ({ ...common, dedupKey, isMessage: true, type: 'inbound', inbound }) as const;
  const media = (kind: InboundMedia, caption?: string) =>
    message({ ...base, kind: 'media', media: kind, ...(caption ? { caption } : {}) });
  switch (msgType) {
    case 'text':
      return message({ ...base, kind: 'text', text: need(fields, 'Content') });
    case 'voice': {
      // With speech recognition on, the platform adds what was said: answer it as text.
      const said = fields.Recognition?.trim();
      return said ? message({ ...base, kind: 'text', text: said }) : media('voice');
    }
    case 'image':
      return media('image');
    case 'video':
    case 'shortvideo':
      return media('video');
    case 'location':
      return media('location', fields.Label || `${fields.Location_X},${fields.Location_Y}`);
    case 'link':
      return media('link', [fields.Title, fields.Url].filter(Boolean).join(' '));
    default:
      return { ...common, dedupKey, isMessage: true, type: 'unknown', what: `message ${msgType}` };
  }
}

function need(fields: XmlFields, name: string): string {
  const value = fields[name];
  if (value === undefined || value === '') throw new CallbackFieldError(`${name} is missing`);
  return value;
}

/** A count of a mass-send report: absent is 0; anything but a bounded whole number is refused. */
function count(fields: XmlFields, name: string): number {
  const value = fields[name] ?? '0';
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n <= MAX_COUNT))
    throw new CallbackFieldError(`${name} must be a whole number up to ${MAX_COUNT}`);
  return n;
}

function msgIdOf(value: string): string {
  if (!DIGITS.test(value) || BigInt(value) > MAX_MSG_ID)
    throw new CallbackFieldError('MsgID must be a 64-bit whole number (digits only)');
  return value;
}
