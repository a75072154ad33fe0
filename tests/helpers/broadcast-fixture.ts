import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBroadcasting,
  type Broadcasting,
  type BroadcastingOptions,
} from '../../src/broadcast/broadcasting.ts';
import { parseSchedules } from '../../src/broadcast/scheduler.ts';
import type { Entry } from '../../src/content/entry.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { createSqliteGate } from '../../src/store/sqlite-gate.ts';
import { sqliteSubscriberStore, type SubscriberStore } from '../../src/store/subscribers.ts';

export const ACCOUNT_TZ = 'Asia/Shanghai';
export const PUBLIC_URL = 'http://oa.test';

/** An entry as the library would load it. */
export function makeEntry(id: string, date: string, topics: string[] = []): Entry {
  return {
    id,
    title: `Title of ${id}`,
    date,
    publishedAt: new Date(date),
    summary: '',
    keywords: [],
    topics,
    body: '',
    hash: `hash-${id}`,
  };
}

/** A library held in a list, newest first, that a test can change. */
export function makeLibrary(entries: Entry[] = []) {
  let list = [...entries];
  const sort = () => list.sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime());
  sort();
  return {
    all: () => list,
    get: (id: string) => list.find((entry) => entry.id === id),
    add(entry: Entry) {
      list = [...list.filter((e) => e.id !== entry.id), entry];
      sort();
    },
    remove(id: string) {
      list = list.filter((e) => e.id !== id);
    },
  };
}

/** A clock a test moves by hand. */
export function makeClock(start: string) {
  let current = new Date(start);
  return {
    now: () => current,
    set: (iso: string) => void (current = new Date(iso)),
    advance: (ms: number) => void (current = new Date(current.getTime() + ms)),
  };
}

export interface Fixture {
  db: Db;
  dir: string;
  subscribers: SubscriberStore;
  library: ReturnType<typeof makeLibrary>;
  clock: ReturnType<typeof makeClock>;
  broadcasting: Broadcasting;
  /** Adds active subscribers `prefix0..prefixN-1` on a channel. */
  subscribe(channel: string, users: string[], topics?: string[]): Promise<void>;
  close(): void;
}

/** A database over a temporary folder and the broadcast part over it, driven by hand. */
export function makeFixture(
  options: {
    entries?: Entry[];
    start?: string;
    cron?: string;
    timeZone?: string;
    accountType?: BroadcastingOptions['accountType'];
    dispatch?: BroadcastingOptions['dispatch'];
    digestCron?: string;
  } = {},
): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-broadcast-'));
  const db = openDatabase(join(dir, 'oasim.db'));
  const clock = makeClock(options.start ?? '2025-01-06T00:00:00Z');
  const library = makeLibrary(options.entries ?? []);
  const subscribers = sqliteSubscriberStore(createSqliteGate(db));
  const timeZone = options.timeZone ?? ACCOUNT_TZ;
  const broadcasting = createBroadcasting({
    db,
    library,
    log: createLogger({ level: 'silent' }),
    publicUrl: PUBLIC_URL,
    timeZone,
    accountType: options.accountType ?? 'service',
    schedules: [
      ...parseSchedules(options.cron ?? '0 9 * * *', timeZone),
      ...(options.digestCron ? parseSchedules(options.digestCron, timeZone, 'digest') : []),
    ],
    catchUpHours: 6,
    now: clock.now,
    dispatch: { retryBaseMs: 1000, ...options.dispatch },
  });
  return {
    db,
    dir,
    subscribers,
    library,
    clock,
    broadcasting,
    async subscribe(channel, users, topics = []) {
      for (const user of users)
        await subscribers.save(channel, user, { state: 'active', topics }, clock.now());
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const users = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);
