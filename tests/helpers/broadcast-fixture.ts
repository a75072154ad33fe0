import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBroadcasting,
  type Broadcasting,
  type BroadcastingOptions,
} from '../../src/broadcast/broadcasting.ts';
import { parseSchedules } from '../../src/broadcast/scheduler.ts';
import type { VirtualClock } from '../../src/clock/clock.ts';
import type { Entry } from '../../src/content/entry.ts';
import type { Reply } from '../../src/engine/types.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openPostgres } from '../../src/postgres/database.ts';
import { postgresStorage, sqliteStorage, type Storage } from '../../src/store/storage.ts';
import { testSubscribers, type TestSubscribers } from './broadcast-subscribers.ts';
import {
  openTestStorage,
  postgresUrl,
  type DatabaseKind,
  type FanOutDatabase,
  type TestPostgres,
} from './postgres.ts';

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
  kind: DatabaseKind;
  storage: Storage;
  dir: string;
  subscribers: TestSubscribers;
  library: ReturnType<typeof makeLibrary>;
  clock: ReturnType<typeof makeClock>;
  broadcasting: Broadcasting;
  /** Adds active subscribers on a channel. */
  subscribe(channel: string, users: string[], topics?: string[]): Promise<void>;
  /** One statement of SQL, without parameters, on either database: its rows. */
  sql<R = Record<string, unknown>>(statement: string): Promise<R[]>;
  /** A second connection (SQLite) or pool (PostgreSQL) on the same database: another instance's. */
  another(): Promise<Storage>;
  close(): Promise<void>;
}

/** A database of the given kind and the broadcast part over it, driven by hand. */
export async function makeFixture(
  options: {
    kind?: FanOutDatabase;
    entries?: Entry[];
    start?: string;
    cron?: string;
    timeZone?: string;
    accountType?: BroadcastingOptions['accountType'];
    dispatch?: BroadcastingOptions['dispatch'];
    digestCron?: string;
    /** PostgreSQL: fan-outs of this many or more get a partition of their own. */
    partitionFrom?: number;
    /** A travelling clock (the hosted simulator's) for the broadcast part, instead of `clock`. */
    virtualClock?: VirtualClock;
  } = {},
): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-broadcast-'));
  const storage = await openTestStorage(options.kind ?? 'sqlite', dir);
  const kind = storage.kind;
  if (storage.kind === 'postgres' && options.partitionFrom !== undefined)
    storage.partitionFrom = options.partitionFrom;
  const others: Storage[] = [];
  const clock = makeClock(options.start ?? '2025-01-06T00:00:00Z');
  const library = makeLibrary(options.entries ?? []);
  const subscribers = await testSubscribers(storage);
  const timeZone = options.timeZone ?? ACCOUNT_TZ;
  const broadcasting = createBroadcasting({
    storage,
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
    now: options.virtualClock ? () => options.virtualClock!.now() : clock.now,
    clock: options.virtualClock,
    dispatch: { retryBaseMs: 1000, ...options.dispatch },
  });
  return {
    kind,
    storage,
    dir,
    subscribers,
    library,
    clock,
    broadcasting,
    async subscribe(channel, users, topics = []) {
      for (const user of users)
        await subscribers.save(channel, user, { state: 'active', topics }, clock.now());
    },
    sql: (statement) => runSql(storage, statement),
    async another() {
      const other =
        storage.kind === 'sqlite'
          ? sqliteStorage(storage.file)
          : postgresStorage(
              await openPostgres({
                url: postgresUrl!,
                schema: (storage.pg as TestPostgres).schema,
                migrate: false,
                max: 4,
              }),
              { partitionFrom: storage.partitionFrom },
            );
      others.push(other);
      return other;
    },
    async close() {
      await broadcasting.stop();
      for (const other of others.splice(0)) await other.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const users = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** PostgreSQL: the partitions of `deliveries`, by name. */
export async function deliveryPartitions(f: Fixture): Promise<string[]> {
  const rows = await f.sql<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'deliveries'::regclass
    ORDER BY c.relname`);
  return rows.map((row) => row.name);
}

/** A broadcast's range of delivery ids (first_delivery, last_delivery) and its total. */
export async function deliveryRange(
  f: Fixture,
  id: number,
): Promise<{ first: number; last: number; total: number }> {
  const [row] = await f.sql<{ first: number; last: number; total: number }>(
    `SELECT first_delivery AS first, last_delivery AS last, total FROM broadcasts WHERE id = ${id}`,
  );
  return row!;
}

/** One statement on either database (tests only: no parameters). */
export async function runSql<R>(storage: Storage, statement: string): Promise<R[]> {
  if (storage.kind === 'postgres') return (await storage.pg.query(statement)) as R[];
  const prepared = storage.gate.db.prepare(statement);
  return storage.gate.run(() => (prepared.reader ? (prepared.all() as R[]) : (prepared.run(), [])));
}

/** Waits until `check` holds (a claim on PostgreSQL takes a few round trips), or fails. */
export async function eventually(check: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

/** A user's simulated inbox, newest first, each item's reply as sent (read from its broadcast when shared). */
export async function inboxOf(
  fixture: Fixture,
  channel: string,
  userId: string,
): Promise<{ source: string; reply: Reply }[]> {
  const rows = await fixture.sql<{ source: string; reply: string }>(
    `SELECT i.source, CASE WHEN i.reply = '' THEN b.reply ELSE i.reply END AS reply
     FROM inbox i LEFT JOIN broadcasts b ON b.id = i.broadcast_id
     WHERE i.channel = '${channel}' AND i.user_id = '${userId}' ORDER BY i.id DESC`,
  );
  return rows.map((row) => ({ source: row.source, reply: JSON.parse(row.reply) as Reply }));
}
