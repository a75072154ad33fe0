import type { Pg } from '../../src/postgres/database.ts';
import type { Storage } from '../../src/store/storage.ts';
import {
  createSubscriberStore,
  type PreferenceChange,
  type Subscriber,
  type SubscriberState,
} from '../../src/store/subscribers.ts';

/** What the broadcast tests read and change of the subscribers, on either database. */
export interface TestSubscribers {
  get(channel: string, userId: string): Promise<Subscriber | undefined>;
  save(
    channel: string,
    userId: string,
    change: { state?: SubscriberState; topics?: string[] },
    now: Date,
  ): Promise<void>;
  setPreferences(
    channel: string,
    userId: string,
    change: PreferenceChange,
    now: Date,
  ): Promise<void>;
}

/**
 * The SQLite subscribers' columns on PostgreSQL, for the broadcast tests only: the account
 * schema (helper A's `schema-account.ts`) owns the real table; this is created only where
 * that one is not there yet.
 */
const TEST_SUBSCRIBERS = `
CREATE TABLE IF NOT EXISTS subscribers (
  channel TEXT NOT NULL,
  user_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'unsubscribed', 'blocked')),
  topics TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  time_zone TEXT,
  quiet_start INTEGER,
  quiet_end INTEGER,
  digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily')),
  failures INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, user_id)
)`;

export async function testSubscribers(storage: Storage): Promise<TestSubscribers> {
  if (storage.kind === 'sqlite') {
    const store = createSubscriberStore(storage.gate.db);
    return {
      get: (channel, userId) => storage.gate.run(() => store.get(channel, userId)),
      save: (channel, userId, change, now) =>
        storage.gate.run(() => void store.save(channel, userId, change, now)),
      setPreferences: (channel, userId, change, now) =>
        storage.gate.run(() => void store.setPreferences(channel, userId, change, now)),
    };
  }
  await storage.pg.query(TEST_SUBSCRIBERS);
  return postgresTestSubscribers(storage.pg);
}

type Row = {
  channel: string;
  user_id: string;
  state: SubscriberState;
  topics: string | string[];
  created_at: number;
  updated_at: number;
  time_zone: string | null;
  quiet_start: number | null;
  quiet_end: number | null;
  digest: 'off' | 'daily';
  failures: number;
};

function postgresTestSubscribers(pg: Pg): TestSubscribers {
  const get = async (channel: string, userId: string) => {
    const [row] = await pg.query<Row>(
      'SELECT * FROM subscribers WHERE channel = $1 AND user_id = $2',
      [channel, userId],
    );
    return row && toSubscriber(row);
  };
  const upsert = (channel: string, userId: string, state: string, topics: string, at: number) =>
    pg.query(
      `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (channel, user_id) DO UPDATE SET
         state = excluded.state, topics = excluded.topics, updated_at = excluded.updated_at`,
      [channel, userId, state, topics, at],
    );
  return {
    get,
    async save(channel, userId, change, now) {
      const current = await get(channel, userId);
      const state = change.state ?? current?.state ?? 'active';
      const topics = change.topics ?? current?.topics ?? [];
      await upsert(channel, userId, state, JSON.stringify(topics), now.getTime());
    },
    async setPreferences(channel, userId, change, now) {
      let current = await get(channel, userId);
      if (!current) {
        await upsert(channel, userId, 'unsubscribed', '[]', now.getTime());
        current = (await get(channel, userId))!;
      }
      const quiet = change.quiet === undefined ? current.quiet : change.quiet;
      await pg.query(
        `UPDATE subscribers SET time_zone = $3, quiet_start = $4, quiet_end = $5, digest = $6,
           updated_at = $7 WHERE channel = $1 AND user_id = $2`,
        [
          channel,
          userId,
          change.timeZone === undefined ? (current.timeZone ?? null) : change.timeZone,
          quiet?.start ?? null,
          quiet?.end ?? null,
          change.digest ?? current.digest,
          now.getTime(),
        ],
      );
    },
  };
}

function toSubscriber(row: Row): Subscriber {
  return {
    channel: row.channel,
    userId: row.user_id,
    state: row.state,
    // TEXT here; a JSONB column (the account schema's choice) arrives parsed.
    topics: typeof row.topics === 'string' ? (JSON.parse(row.topics) as string[]) : row.topics,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    timeZone: row.time_zone ?? undefined,
    quiet:
      row.quiet_start === null || row.quiet_end === null
        ? undefined
        : { start: row.quiet_start, end: row.quiet_end },
    digest: row.digest,
    failures: row.failures,
  };
}
