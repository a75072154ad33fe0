import { postgresSubscriberStore } from '../postgres/subscriber-store.ts';
import type { QuietHours } from '../time/quiet-hours.ts';
import { writeTransaction } from './database.ts';
import type { SqliteGate } from './sqlite-gate.ts';
import type { Storage } from './storage.ts';

export type SubscriberState = 'active' | 'unsubscribed' | 'blocked';

export interface Subscriber {
  channel: string;
  userId: string;
  state: SubscriberState;
  /** Topics the subscriber follows; empty means everything. */
  topics: string[];
  createdAt: Date;
  updatedAt: Date;
  /** IANA time zone for quiet hours; undefined means the account's. */
  timeZone?: string;
  /** Quiet hours in minutes after local midnight; `start > end` spans midnight. */
  quiet?: QuietHours;
  /** `daily`: one digest a day instead of each broadcast. */
  digest: DigestMode;
  /** Deliveries that failed in a row; reset by one that is sent. */
  failures: number;
}

export type { QuietHours } from '../time/quiet-hours.ts';

export type DigestMode = 'off' | 'daily';

/** Broadcast preferences a user sets by message; `null` clears one. */
export interface PreferenceChange {
  timeZone?: string | null;
  quiet?: QuietHours | null;
  digest?: DigestMode;
}

/** Subscribers, one per (channel, user id). */
export interface SubscriberStore {
  get(channel: string, userId: string): Promise<Subscriber | undefined>;
  /** Sets the state (creating the subscriber when new) and, when given, the topics. */
  save(
    channel: string,
    userId: string,
    change: { state?: SubscriberState; topics?: string[] },
    now: Date,
  ): Promise<Subscriber>;
  /** Sets broadcast preferences; a user not yet known is created unsubscribed. */
  setPreferences(
    channel: string,
    userId: string,
    change: PreferenceChange,
    now: Date,
  ): Promise<Subscriber>;
  /** In (channel, user id) order; `topic`: those who named it (not those who follow everything). */
  list(options?: {
    state?: SubscriberState;
    channel?: string;
    topic?: string;
    limit?: number;
    after?: { channel: string; userId: string };
  }): Promise<Subscriber[]>;
}

/** The subscriber store of the account's database, whichever kind it is. */
export function createSubscriberStore(storage: Storage): SubscriberStore {
  return storage.kind === 'sqlite'
    ? sqliteSubscriberStore(storage.gate)
    : postgresSubscriberStore(storage.pg);
}

/** A subscriber's row on either database: `topics` is JSON text on SQLite, parsed JSONB on PostgreSQL. */
export type SubscriberRow = {
  channel: string;
  user_id: string;
  state: SubscriberState;
  topics: string | string[];
  created_at: number;
  updated_at: number;
  time_zone: string | null;
  quiet_start: number | null;
  quiet_end: number | null;
  digest: DigestMode;
  failures: number;
};

export function sqliteSubscriberStore(gate: SqliteGate): SubscriberStore {
  const { db } = gate;
  const getStmt = db.prepare<[string, string], SubscriberRow>(
    'SELECT * FROM subscribers WHERE channel = ? AND user_id = ?',
  );
  const upsert = db.prepare(`
    INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
    VALUES (@channel, @userId, @state, @topics, @now, @now)
    ON CONFLICT (channel, user_id) DO UPDATE SET
      state = excluded.state, topics = excluded.topics, updated_at = excluded.updated_at`);
  const prefs = db.prepare(`
    UPDATE subscribers SET time_zone = @timeZone, quiet_start = @quietStart, quiet_end = @quietEnd,
      digest = @digest, updated_at = @now
    WHERE channel = @channel AND user_id = @userId`);
  const listStmt = db.prepare<
    {
      state: string | null;
      onChannel: string | null;
      topic: string | null;
      limit: number;
      channel: string;
      userId: string;
    },
    SubscriberRow
  >(`
    SELECT * FROM subscribers
    WHERE (@state IS NULL OR state = @state) AND (@onChannel IS NULL OR channel = @onChannel)
      AND (@topic IS NULL OR EXISTS (SELECT 1 FROM json_each(topics) WHERE value = @topic))
      AND (channel, user_id) > (@channel, @userId)
    ORDER BY channel, user_id LIMIT @limit`);

  const get = (channel: string, userId: string) => {
    const row = getStmt.get(channel, userId);
    return row && toSubscriber(row);
  };
  const save = writeTransaction(
    db,
    (
      channel: string,
      userId: string,
      change: { state?: SubscriberState; topics?: string[] },
      now: Date,
    ) => {
      const current = get(channel, userId);
      const state = change.state ?? current?.state ?? 'active';
      const topics = change.topics ?? current?.topics ?? [];
      upsert.run({ channel, userId, state, topics: JSON.stringify(topics), now: now.getTime() });
      return get(channel, userId)!;
    },
  );
  const setPreferences = writeTransaction(
    db,
    (channel: string, userId: string, change: PreferenceChange, now: Date) => {
      let current = get(channel, userId);
      if (!current) {
        upsert.run({ channel, userId, state: 'unsubscribed', topics: '[]', now: now.getTime() });
        current = get(channel, userId)!;
      }
      const quiet = change.quiet === undefined ? current.quiet : change.quiet;
      prefs.run({
        channel,
        userId,
        timeZone: change.timeZone === undefined ? (current.timeZone ?? null) : change.timeZone,
        quietStart: quiet?.start ?? null,
        quietEnd: quiet?.end ?? null,
        digest: change.digest ?? current.digest,
        now: now.getTime(),
      });
      return get(channel, userId)!;
    },
  );
  return {
    get: (channel, userId) => gate.run(() => get(channel, userId)),
    save: (channel, userId, change, now) => gate.run(() => save(channel, userId, change, now)),
    setPreferences: (channel, userId, change, now) =>
      gate.run(() => setPreferences(channel, userId, change, now)),
    list: ({ state, channel, topic, limit = 100, after } = {}) =>
      gate.run(() =>
        listStmt
          .all({
            state: state ?? null,
            onChannel: channel ?? null,
            topic: topic ?? null,
            limit,
            channel: after?.channel ?? '',
            userId: after?.userId ?? '',
          })
          .map(toSubscriber),
      ),
  };
}

export function toSubscriber(row: SubscriberRow): Subscriber {
  return {
    channel: row.channel,
    userId: row.user_id,
    state: row.state,
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
