/**
 * What the fake platform API (`/cgi-bin/...`) needs from the rest of the simulator. The
 * platform part defines these ports; the users/timeline/callback parts implement them and
 * wire `createPlatformApi(deps)` into the simulator's app. Keep them as small as the
 * callers need; grow them by agreement (edit this file and say so in the commit).
 */
import type { Clock } from '../../clock/clock.ts';

/** A simulated user as the platform's follower list sees them. */
export interface Follower {
  /** 28 characters of [A-Za-z0-9_-], starting with `o`. */
  openid: string;
  nickname: string;
  /** zh_CN, en, ... */
  language: string;
  subscribed: boolean;
  /** When they last followed (kept after an unfollow, as the platform does). */
  subscribeTime?: Date;
  /** `ADD_SCENE_QR_CODE`, `ADD_SCENE_SEARCH`, ... */
  subscribeScene?: string;
  qrScene?: string;
  /**
   * The interactions that open customer-service windows: a user's message opens 48 h
   * (5 messages); a follow, menu click or scan opens 1 minute (3 messages).
   */
  lastMessageAt?: Date;
  lastEventAt?: Date;
}

export interface FollowerDirectory {
  get(openid: string): Promise<Follower | undefined>;
  /** Those of `openids` who follow now: a mass send's tag or list chunk, checked at once. */
  subscribedAmong(openids: string[]): Promise<Set<string>>;
  /**
   * Followers (subscribed only), in a stable order, starting after `after`. `after` may have
   * unfollowed since the previous page (a mass send walks the list over minutes): the page
   * still starts after its place in the order, which OpenID order gives for free.
   */
  page(after: string | undefined, limit: number): Promise<{ total: number; openids: string[] }>;
}

/** A message the platform put on a user's phone, outside a passive reply. */
export type PlatformMessage =
  | { msgtype: 'text'; text: string }
  | {
      msgtype: 'news' | 'mpnews';
      articles: {
        title: string;
        description?: string;
        url?: string;
        picUrl?: string;
        author?: string;
      }[];
    };

/** What the platform puts on a timeline. */
export interface PlatformItem {
  source: 'custom' | 'mass' | 'preview';
  message: PlatformMessage;
  msgId?: string;
  record?: Record<string, unknown>;
}

export interface TimelineWriter {
  /**
   * Appends to a user's timeline. `source` says how it arrived; `record` is the raw
   * exchange for the inspector (the API call that caused it, its msg_id, ...). A mass send
   * calls it for one user at a time only when `appendMany` refused its chunk, each call in
   * a savepoint of the chunk's transaction (`atomically`): a write there joins it.
   */
  append(openid: string, item: PlatformItem): Promise<void>;
  /**
   * The same item on each of `openids`' timelines, in order, one event each: all of them,
   * or none (it throws). A mass send's chunk of up to 5,000 users, inside its transaction.
   */
  appendMany(openids: string[], item: PlatformItem): Promise<void>;
}

/**
 * An event's XML fields. A nested object is a nested element (`MASSSENDJOBFINISH` carries a
 * `CopyrightCheckResult` block); an array repeats its element (`ResultList` > `item`).
 */
export type EventField = string | number | { [name: string]: EventField } | EventField[];

/**
 * POSTs an event from the platform to the account's callback, signed (and encrypted per
 * mode). The platform part gives `MsgType`, `Event` and the event's own fields; the poster
 * adds `ToUserName`, `FromUserName` and `CreateTime` where they are absent.
 */
export interface CallbackPoster {
  postEvent(fields: Record<string, EventField>): Promise<void>;
}

/** Something that happened, for the live stream (`GET /sim/api/events`). */
export interface EventSink {
  emit(type: string, data: Record<string, unknown>): void;
}

export interface PlatformDeps {
  clock: Clock;
  followers: FollowerDirectory;
  timeline: TimelineWriter;
  callback: CallbackPoster;
  events: EventSink;
  /** Runs `work` in one transaction of the simulator's database; a nested call joins it. */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /** Inside `atomically`: if `work` throws, only its writes are undone; the transaction goes on. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  /** The hosted account: the AppID and secret its API client must present. */
  account: { appId: string; appSecret: string; type: 'subscription' | 'service' };
}
