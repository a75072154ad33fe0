import { Database } from '../../../src/sqlite/driver.ts';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Clock, ClockTimer, TravelWindow, VirtualClock } from '../../../src/clock/clock.ts';
import {
  createPlatformApi,
  type PlatformApi,
} from '../../../src/simulator/platform/platform-api.ts';
import type {
  EventField,
  Follower,
  FollowerDirectory,
  PlatformMessage,
  PlatformDeps,
} from '../../../src/simulator/platform/ports.ts';
import { sqliteStorageOf, type SimStorage } from '../../../src/simulator/store/sim-storage.ts';
import { openTestSimStorage, type DatabaseKind } from '../sim-storage-fixture.ts';

export const APP_ID = 'wx0123456789abcdef';
export const APP_SECRET = '0123456789abcdef0123456789abcdef';
/** A Monday noon in Beijing (04:00 UTC): far from a day's edge. */
export const START = new Date('2026-11-23T04:00:00Z');
export const HOUR = 3600_000;

/** A virtual clock like the shared one: timers run at their own instant during travel. */
export function fakeClock(start = START): VirtualClock {
  let now = start.getTime();
  let seq = 0;
  const timers: { at: number; seq: number; task: () => Promise<void> | void; live: boolean }[] = [];
  const listeners: ((w: TravelWindow) => Promise<void> | void)[] = [];
  async function moveTo(target: number): Promise<TravelWindow> {
    const from = new Date(now);
    for (;;) {
      const due = timers
        .filter((t) => t.live && t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.live = false;
      now = Math.max(now, due.at);
      await due.task();
    }
    now = target;
    const window = { from, to: new Date(now) };
    for (const listener of listeners) await listener(window);
    return window;
  }
  return {
    now: () => new Date(now),
    advance: (ms) => moveTo(now + ms),
    travelTo: (instant) => moveTo(instant.getTime()),
    at(instant, task): ClockTimer {
      const timer = { at: Math.max(instant.getTime(), now), seq: seq++, task, live: true };
      timers.push(timer);
      return { cancel: () => void (timer.live = false) };
    },
    onTravel(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}

/** OpenIDs as the platform shapes them: `o` and 27 more of [A-Za-z0-9_-]. */
export function openidOf(n: number): string {
  return `o${String(n).padStart(27, '0')}`;
}

/** An in-memory follower directory in OpenID order. */
export function fakeFollowers() {
  const users = new Map<string, Follower>();
  let sorted: string[] | undefined;
  const subscribed = () =>
    (sorted ??= [...users.values()]
      .filter((u) => u.subscribed)
      .map((u) => u.openid)
      .sort());
  const directory: FollowerDirectory & {
    add(openid: string, fields?: Partial<Follower>): Follower;
    update(openid: string, fields: Partial<Follower>): void;
  } = {
    get: async (openid) => users.get(openid),
    subscribedAmong: async (openids) =>
      new Set(openids.filter((openid) => users.get(openid)?.subscribed)),
    async page(after, limit) {
      const list = subscribed();
      let start = 0;
      if (after !== undefined) {
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[mid]! <= after) lo = mid + 1;
          else hi = mid;
        }
        start = lo;
      }
      return { total: list.length, openids: list.slice(start, start + limit) };
    },
    add(openid, fields = {}) {
      const user: Follower = {
        openid,
        nickname: openid.slice(-4),
        language: 'zh_CN',
        subscribed: true,
        subscribeTime: START,
        ...fields,
      };
      users.set(openid, user);
      sorted = undefined;
      return user;
    },
    update(openid, fields) {
      users.set(openid, { ...users.get(openid)!, ...fields });
      sorted = undefined;
    },
  };
  return directory;
}

export interface TimelineItem {
  openid: string;
  source: 'custom' | 'mass' | 'preview';
  message: PlatformMessage;
  msgId?: string;
}

export interface TestPlatform {
  url: string;
  api: PlatformApi;
  clock: VirtualClock;
  followers: ReturnType<typeof fakeFollowers>;
  timeline: TimelineItem[];
  posted: Record<string, EventField>[];
  /** What the platform told the live stream. */
  events: { type: string; data: Record<string, unknown> }[];
  /** OpenIDs whose timeline throws on append (a broken record). */
  refuse: Set<string>;
  /** While true, the account's callback is down: posting an event rejects. */
  callbackDown: { value: boolean };
  /** The SQLite handle under `storage`, when it is SQLite. */
  db?: Database;
  storage: SimStorage;
  /** A call as a client makes it: JSON in, JSON out. */
  call(
    name: string,
    options?: { token?: string; query?: Record<string, string>; body?: unknown; raw?: string },
  ): Promise<Record<string, unknown>>;
  /** A fresh token from `/cgi-bin/token`. */
  token(): Promise<string>;
  close(): Promise<void>;
}

/** The platform API on port 0, over fakes of the simulator's parts and an in-memory database. */
export async function startPlatform(
  options: {
    type?: PlatformDeps['account']['type'];
    followers?: number;
    db?: Database;
    /** The platform's database: an in-memory SQLite one (over `db`) unless given. */
    storage?: SimStorage;
    /** `postgres`: a fresh schema on the test PostgreSQL (dropped on close). */
    kind?: DatabaseKind;
    /** A clock without travel, for the real-time path; the fake virtual one otherwise. */
    clock?: Clock;
  } = {},
): Promise<TestPlatform> {
  const clock = fakeClock();
  const followers = fakeFollowers();
  for (let i = 1; i <= (options.followers ?? 0); i++) followers.add(openidOf(i));
  const timeline: TimelineItem[] = [];
  const posted: Record<string, EventField>[] = [];
  const events: TestPlatform['events'] = [];
  const refuse = new Set<string>();
  const callbackDown = { value: false };
  const onPostgres = !options.storage && options.kind === 'postgres';
  const db = options.storage || onPostgres ? undefined : (options.db ?? new Database(':memory:'));
  const storage =
    options.storage ?? (onPostgres ? await openTestSimStorage('postgres') : sqliteStorageOf(db!));
  const api = await createPlatformApi({
    stores: storage.platform,
    atomically: (work) => storage.atomically(work),
    savepoint: (work) => storage.savepoint(work),
    clock: options.clock ?? clock,
    followers,
    timeline: {
      async append(openid, item) {
        if (refuse.has(openid)) throw new Error(`timeline of ${openid} is broken`);
        timeline.push({ openid, ...item });
      },
      // All or none, as the real one's single statement.
      async appendMany(openids, item) {
        const broken = openids.find((openid) => refuse.has(openid));
        if (broken) throw new Error(`timeline of ${broken} is broken`);
        for (const openid of openids) timeline.push({ openid, ...item });
      },
    },
    callback: {
      async postEvent(fields) {
        if (callbackDown.value) throw new Error('connect ECONNREFUSED');
        posted.push(fields);
      },
    },
    events: { emit: (type, data) => void events.push({ type, data }) },
    account: { appId: APP_ID, appSecret: APP_SECRET, type: options.type ?? 'service' },
  });
  const app = express();
  app.use(api.router);
  const server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function call(
    name: string,
    { token, query = {}, body, raw }: Parameters<TestPlatform['call']>[1] = {},
  ) {
    const params = new URLSearchParams({ ...query, ...(token ? { access_token: token } : {}) });
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(`${url}/cgi-bin/${name}?${params}`, {
      method: payload === undefined ? 'GET' : 'POST',
      headers: payload === undefined ? undefined : { 'content-type': 'application/json' },
      body: payload,
    });
    return (await res.json()) as Record<string, unknown>;
  }
  return {
    url,
    api,
    clock,
    followers,
    timeline,
    posted,
    events,
    refuse,
    callbackDown,
    db,
    storage,
    call,
    async token() {
      const answer = await call('token', {
        query: { grant_type: 'client_credential', appid: APP_ID, secret: APP_SECRET },
      });
      return answer.access_token as string;
    },
    async close() {
      await api.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await storage.close();
    },
  };
}

/** A JPEG's first bytes: the simulator reads only the part's headers and size. */
export const JPEG_START = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);

/** `material/add_material` as a client makes it: one multipart `media` part. */
export async function addMaterial(
  p: Pick<TestPlatform, 'url'>,
  token: string,
  { type = 'thumb', name = 'cover.jpg', field = 'media', bytes = JPEG_START as Uint8Array } = {},
): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(
    `${p.url}/cgi-bin/material/add_material?access_token=${token}&type=${type}`,
    { method: 'POST', body: form },
  );
  return (await res.json()) as Record<string, unknown>;
}

/** A permanent thumb's media_id, for the articles of `media/uploadnews`. */
export async function thumbOf(p: Pick<TestPlatform, 'url'>, token: string): Promise<string> {
  return String((await addMaterial(p, token)).media_id);
}
