import { postgresOutboxStore } from '../postgres/outbox-store.ts';
import type { Db } from '../store/database.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import type { Storage } from '../store/storage.ts';
import type { BroadcastKind, BroadcastStatus } from './broadcast-types.ts';

/** A broadcast row as the outbox first writes it. */
export interface NewBroadcast {
  kind: BroadcastKind;
  schedule: string | null;
  tickAt: number | null;
  now: number;
  status: BroadcastStatus;
  reason: string | null;
  entryIds: string;
  reply: string | null;
}

export type DigestMode = 'off' | 'daily';

/** Which of a broadcast's entries the subscribers following `topics` (as stored) receive. */
export interface TopicSet {
  topics: string;
  /** A bit per entry, in the broadcast's order; 0 means all of them. */
  entrySet: number;
}

/**
 * The outbox's SQL: broadcasts, their deliveries, and the schedules' last ticks. Every
 * method is one statement; `transaction` groups them (the outbox writes a whole
 * broadcast in one).
 */
export interface OutboxStore {
  /** Runs `work` in one write transaction that takes the lock at its start. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  tickBroadcast(schedule: string, tickAt: number): Promise<number | undefined>;
  insertBroadcast(row: NewBroadcast): Promise<number>;
  /** The topic lists (as stored) of the active subscribers of this digest mode. */
  topicLists(digest: DigestMode): Promise<string[]>;
  /** Notes which entries each topic list receives, for `fanOut` and `countMatching`. */
  setTopicSets(sets: TopicSet[]): Promise<void>;
  /**
   * One delivery per active subscriber of this digest mode whose topic list has a set,
   * carrying it; `extraCondition` is SQL on subscriber `s`.
   */
  fanOut(id: number, digest: DigestMode, at: number, extraCondition: string): Promise<number>;
  countMatching(digest: DigestMode): Promise<number>;
  countEligible(digest: DigestMode): Promise<number>;
  /** The reply of one subset of a broadcast's entries. */
  insertReply(id: number, entrySet: number, entryIds: string, reply: string): Promise<void>;
  /** Deliveries to named recipients (a preview); returns how many. */
  insertDeliveries(
    id: number,
    targets: { channel: string; userId: string }[],
    at: number,
  ): Promise<number>;
  /** Channels on which the user is a subscriber, in any state. */
  channelsOf(userId: string): Promise<string[]>;
  setTotals(id: number, total: number, filtered: number, at: number): Promise<void>;
  refuse(id: number, reason: string): Promise<void>;
  byChannel(id: number): Promise<{ channel: string; count: number }[]>;
  sample(id: number, limit: number): Promise<{ channel: string; userId: string }[]>;
  lastDigestAt(): Promise<number | undefined>;
  /** Moves a schedule's last fired time forward (never back). */
  markTick(schedule: string, tickAt: number, at: number): Promise<void>;
  lastTick(schedule: string): Promise<number | undefined>;
  /** Cancels the pending deliveries; returns how many, and how many of them were held. */
  cancelPending(id: number, at: number): Promise<{ count: number; held: number }>;
  closeCancelled(id: number, count: number, held: number, at: number): Promise<void>;
}

export function createOutboxStore(storage: Storage): OutboxStore {
  return storage.kind === 'sqlite'
    ? sqliteOutboxStore(storage.gate)
    : postgresOutboxStore(storage.pg, { partitionFrom: storage.partitionFrom });
}

function sqliteOutboxStore(gate: SqliteGate): OutboxStore {
  const { db } = gate;
  const existingTick = db.prepare<[string, number], { id: number }>(
    'SELECT id FROM broadcasts WHERE schedule = ? AND tick_at = ?',
  );
  const insertBroadcast = db.prepare<NewBroadcast>(`
    INSERT INTO broadcasts (kind, schedule, tick_at, created_at, status, reason, entry_ids, reply)
    VALUES (@kind, @schedule, @tickAt, @now, @status, @reason, @entryIds, @reply)`);
  // Per connection, filled inside the outbox's transaction: which entries each topic list gets.
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS topic_sets (
    topics TEXT PRIMARY KEY, entry_set INTEGER NOT NULL) WITHOUT ROWID`);
  const clearSets = db.prepare('DELETE FROM temp.topic_sets');
  const insertSet = db.prepare('INSERT INTO temp.topic_sets (topics, entry_set) VALUES (?, ?)');
  const topicLists = db.prepare<[string], { topics: string }>(
    `SELECT DISTINCT topics FROM subscribers WHERE state = 'active' AND digest = ?`,
  );
  const matches = `FROM subscribers s JOIN temp.topic_sets g ON g.topics = s.topics
    WHERE s.state = 'active' AND s.digest = @digest`;
  const fanOuts = new Map<string, ReturnType<Db['prepare']>>();
  const fanOut = (extraCondition: string) => {
    let statement = fanOuts.get(extraCondition);
    if (!statement) {
      statement = db.prepare(`
        INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at, entry_set)
        SELECT @id, s.channel, s.user_id, 'pending', @now, g.entry_set ${matches} ${extraCondition}`);
      fanOuts.set(extraCondition, statement);
    }
    return statement;
  };
  const countMatching = db.prepare<{ digest: string }, { count: number }>(
    `SELECT count(*) AS count ${matches}`,
  );
  const insertReply = db.prepare(
    'INSERT INTO broadcast_replies (broadcast_id, entry_set, entry_ids, reply) VALUES (?, ?, ?, ?)',
  );
  const countEligible = db.prepare<[string], { count: number }>(
    `SELECT count(*) AS count FROM subscribers WHERE state = 'active' AND digest = ?`,
  );
  const insertOne = db.prepare(
    `INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at) VALUES (?, ?, ?, 'pending', ?)`,
  );
  const channelsOf = db.prepare<[string], { channel: string }>(
    'SELECT channel FROM subscribers WHERE user_id = ? ORDER BY channel',
  );
  const setTotals = db.prepare(
    `UPDATE broadcasts SET total = @total, open = @total, filtered = @filtered,
       status = CASE WHEN @total = 0 THEN 'done' ELSE status END,
       finished_at = CASE WHEN @total = 0 THEN @now ELSE NULL END
     WHERE id = @id`,
  );
  const refuse = db.prepare(
    `UPDATE broadcasts SET status = 'refused', reason = ?, reply = NULL WHERE id = ?`,
  );
  const setRange = db.prepare(
    'UPDATE broadcasts SET first_delivery = ?, last_delivery = ? WHERE id = ?',
  );
  // A broadcast's deliveries are written by one statement: one contiguous range of ids.
  const inRange = `id BETWEEN (SELECT first_delivery FROM broadcasts WHERE id = @id)
    AND (SELECT last_delivery FROM broadcasts WHERE id = @id)`;
  const byChannel = db.prepare<{ id: number }, { channel: string; count: number }>(
    `SELECT channel, count(*) AS count FROM deliveries WHERE ${inRange} GROUP BY channel`,
  );
  const sample = db.prepare<{ id: number; limit: number }, { channel: string; userId: string }>(
    `SELECT channel, user_id AS userId FROM deliveries WHERE ${inRange} ORDER BY channel, user_id LIMIT @limit`,
  );
  const lastDigest = db.prepare<[], { at: number | null }>(
    `SELECT max(created_at) AS at FROM broadcasts WHERE kind = 'digest' AND status IN ('sending', 'done')`,
  );
  const upsertTick = db.prepare(`
    INSERT INTO schedules (name, last_tick_at, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET last_tick_at = max(last_tick_at, excluded.last_tick_at),
      updated_at = excluded.updated_at`);
  const readTick = db.prepare<[string], { last_tick_at: number }>(
    'SELECT last_tick_at FROM schedules WHERE name = ?',
  );
  const cancelPending = db.prepare<{ now: number; id: number }, { held: number }>(
    `UPDATE deliveries SET status = 'cancelled', settled_at = @now WHERE ${inRange} AND status = 'pending'
     RETURNING held`,
  );
  const closeCancelled = db.prepare(`
    UPDATE broadcasts SET cancelled = cancelled + @count, open = open - @count, held = held - @held,
      status = 'cancelled', finished_at = @now
    WHERE id = @id`);
  const run = <R>(work: () => R) => gate.run(work);

  return {
    transaction: (work) => gate.transaction(work),
    tickBroadcast: (schedule, tickAt) => run(() => existingTick.get(schedule, tickAt)?.id),
    insertBroadcast: (row) => run(() => Number(insertBroadcast.run(row).lastInsertRowid)),
    topicLists: (digest) => run(() => topicLists.all(digest).map((row) => row.topics)),
    setTopicSets: (sets) =>
      run(() => {
        clearSets.run();
        for (const set of sets) insertSet.run(set.topics, set.entrySet);
      }),
    fanOut: (id, digest, at, extraCondition) =>
      run(() => {
        const inserted = fanOut(extraCondition).run({ id, now: at, digest });
        const last = Number(inserted.lastInsertRowid);
        if (inserted.changes) setRange.run(last - inserted.changes + 1, last, id);
        return inserted.changes;
      }),
    countMatching: (digest) => run(() => countMatching.get({ digest })!.count),
    insertReply: (id, entrySet, entryIds, reply) =>
      run(() => void insertReply.run(id, entrySet, entryIds, reply)),
    countEligible: (digest) => run(() => countEligible.get(digest)!.count),
    insertDeliveries: (id, targets, at) =>
      run(() => {
        const ids = targets.map(({ channel, userId }) =>
          Number(insertOne.run(id, channel, userId, at).lastInsertRowid),
        );
        if (ids.length) setRange.run(ids[0], ids.at(-1), id);
        return ids.length;
      }),
    channelsOf: (userId) => run(() => channelsOf.all(userId).map((row) => row.channel)),
    setTotals: (id, total, filtered, at) =>
      run(() => void setTotals.run({ id, total, filtered, now: at })),
    refuse: (id, reason) => run(() => void refuse.run(reason, id)),
    byChannel: (id) => run(() => byChannel.all({ id })),
    sample: (id, limit) => run(() => sample.all({ id, limit })),
    lastDigestAt: () => run(() => lastDigest.get()?.at ?? undefined),
    markTick: (schedule, tickAt, at) => run(() => void upsertTick.run(schedule, tickAt, at)),
    lastTick: (schedule) => run(() => readTick.get(schedule)?.last_tick_at),
    cancelPending: (id, at) =>
      run(() => {
        const dropped = cancelPending.all({ now: at, id });
        return { count: dropped.length, held: dropped.reduce((sum, row) => sum + row.held, 0) };
      }),
    closeCancelled: (id, count, held, at) =>
      run(() => void closeCancelled.run({ id, count, held, now: at })),
  };
}
