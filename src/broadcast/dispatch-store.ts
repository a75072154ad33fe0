import { postgresDispatchStore } from '../postgres/dispatch-store.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import type { Storage } from '../store/storage.ts';

/** A delivery as claimed, with what the dispatcher needs of its subscriber (null when gone). */
export type ClaimedRow = {
  id: number;
  broadcastId: number;
  /** Which of the broadcast's entries it carries: 0 for all of them. */
  entrySet: number;
  userId: string;
  attempts: number;
  held: number;
  state: string | null;
  timeZone: string | null;
  quietStart: number | null;
  quietEnd: number | null;
  failures: number | null;
};

/** What the report keeps of the last time the platform refused a channel's account. */
export interface ChannelError {
  error: string;
  errcode?: number;
  at: number;
  pausedUntil: number;
  /** Batches refused so far. */
  count: number;
}

/** How a settled batch moves a broadcast's counters. */
export type CounterChange = Partial<
  Record<'settled' | 'sent' | 'failed' | 'skipped' | 'held', number>
>;

/**
 * The dispatcher's SQL: the delivery queue, the subscribers' failure counters and the
 * broadcasts' counters. Every method is one statement; `transaction` groups them, and the
 * dispatcher claims and settles each batch inside one.
 */
export interface DispatchStore {
  /** Runs `work` in one write transaction that takes the lock at its start. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** A claimed batch of the channel whose lease ran out (its process died), if any. */
  staleBatch(channel: string, at: number): Promise<{ key: string; rows: ClaimedRow[] } | undefined>;
  extendLease(channel: string, key: string, leaseEnd: number): Promise<void>;
  /** Pending deliveries of the channel that are due, oldest first. */
  due(channel: string, at: number, limit: number): Promise<ClaimedRow[]>;
  claim(ids: number[], key: string, leaseEnd: number): Promise<void>;
  /** Puts a delivery off until `until` (quiet hours). */
  hold(id: number, until: number): Promise<void>;
  skip(ids: number[], at: number, reason: string): Promise<void>;
  /** The channels that have deliveries waiting or claimed. */
  queuedChannels(): Promise<string[]>;
  /**
   * Skips a channel's deliveries (pending ones, and claims whose lease ran out) for
   * `reason`: nothing will send them. Returns what it skipped.
   */
  skipChannel(
    channel: string,
    at: number,
    reason: string,
  ): Promise<{ broadcastId: number; held: number }[]>;
  /** Adds to the report's count of deliveries skipped for `reason`. */
  noteSkipped(broadcastId: number, reason: string, count: number): Promise<void>;
  /** The following four touch only deliveries still claimed under `key`; they say how many. */
  markSent(ids: number[], key: string, at: number): Promise<number>;
  markRetry(id: number, key: string, due: number, error: string): Promise<boolean>;
  markFailed(id: number, key: string, at: number, error: string): Promise<boolean>;
  /** Back to the queue at `due` with no attempt counted: the account, not the delivery, failed. */
  release(id: number, key: string, due: number, error: string): Promise<boolean>;
  /** Records on the broadcast's report that the platform refused the channel's account. */
  noteChannelError(
    broadcastId: number,
    channel: string,
    error: Omit<ChannelError, 'count'>,
  ): Promise<void>;
  saveBatch(
    key: string,
    broadcastId: number,
    channel: string,
    msgId: string,
    recipients: number,
    at: number,
  ): Promise<void>;
  resetFailures(channel: string, userId: string): Promise<void>;
  /** Counts a failure; the subscriber becomes blocked at `limit`. Returns the state after. */
  countFailure(
    channel: string,
    userId: string,
    limit: number,
    at: number,
  ): Promise<string | undefined>;
  block(channel: string, userId: string, at: number): Promise<void>;
  /** Moves a broadcast's counters, and marks it done when nothing is left open. */
  settle(broadcastId: number, change: CounterChange, at: number): Promise<void>;
}

export function createDispatchStore(storage: Storage): DispatchStore {
  return storage.kind === 'sqlite'
    ? sqliteDispatchStore(storage.gate)
    : postgresDispatchStore(storage.pg);
}

function sqliteDispatchStore(gate: SqliteGate): DispatchStore {
  const { db } = gate;
  const columns = `d.id, d.broadcast_id AS broadcastId, d.entry_set AS entrySet, d.user_id AS userId, d.attempts, d.held,
    s.state, s.time_zone AS timeZone, s.quiet_start AS quietStart, s.quiet_end AS quietEnd, s.failures`;
  const pickPending = db.prepare<[string, number, number], ClaimedRow>(`
    SELECT ${columns} FROM deliveries d
    LEFT JOIN subscribers s ON s.channel = d.channel AND s.user_id = d.user_id
    WHERE d.channel = ? AND d.status = 'pending' AND d.due_at <= ? ORDER BY d.due_at LIMIT ?`);
  const staleKey = db.prepare<[string, number], { key: string }>(
    `SELECT batch_key AS key FROM deliveries WHERE channel = ? AND status = 'claimed' AND due_at <= ? LIMIT 1`,
  );
  const pickStale = db.prepare<[string, number, string], ClaimedRow>(`
    SELECT ${columns} FROM deliveries d
    LEFT JOIN subscribers s ON s.channel = d.channel AND s.user_id = d.user_id
    WHERE d.channel = ? AND d.status = 'claimed' AND d.due_at <= ? AND d.batch_key = ?`);
  const claim = db.prepare(`
    UPDATE deliveries SET status = 'claimed', batch_key = @key, due_at = @leaseEnd, held = 0
    WHERE id IN (SELECT value FROM json_each(@ids))`);
  const extend = db.prepare(
    `UPDATE deliveries SET due_at = @leaseEnd WHERE batch_key = @key AND status = 'claimed' AND channel = @channel`,
  );
  const hold = db.prepare(`UPDATE deliveries SET due_at = ?, held = 1 WHERE id = ?`);
  const skip = db.prepare(`
    UPDATE deliveries SET status = 'skipped', settled_at = @now, error = @reason
    WHERE id IN (SELECT value FROM json_each(@ids))`);
  const markSent = db.prepare(`
    UPDATE deliveries SET status = 'sent', settled_at = @now, error = NULL, attempts = attempts + 1
    WHERE id IN (SELECT value FROM json_each(@ids)) AND batch_key = @key AND status = 'claimed'`);
  const markRetry = db.prepare(`
    UPDATE deliveries SET status = 'pending', due_at = @due, attempts = attempts + 1,
      batch_key = NULL, error = @error
    WHERE id = @id AND batch_key = @key AND status = 'claimed'`);
  const markFailed = db.prepare(`
    UPDATE deliveries SET status = 'failed', settled_at = @now, attempts = attempts + 1,
      error = @error
    WHERE id = @id AND batch_key = @key AND status = 'claimed'`);
  const release = db.prepare(`
    UPDATE deliveries SET status = 'pending', due_at = @due, batch_key = NULL, error = @error
    WHERE id = @id AND batch_key = @key AND status = 'claimed'`);
  // One index probe per channel (a loose index scan), not a scan of the whole queue.
  const nextChannel = (['pending', 'claimed'] as const).map((status) =>
    db.prepare<[string], { channel: string }>(
      `SELECT channel FROM deliveries WHERE status = '${status}' AND channel > ? ORDER BY channel LIMIT 1`,
    ),
  );
  const skipChannel = db.prepare<
    { now: number; channel: string; reason: string },
    { broadcastId: number; held: number }
  >(`
    UPDATE deliveries SET status = 'skipped', settled_at = @now, error = @reason
    WHERE channel = @channel AND (status = 'pending' OR (status = 'claimed' AND due_at <= @now))
    RETURNING broadcast_id AS broadcastId, held`);
  const readNotes = db.prepare<
    [number],
    { skipReasons: string | null; channelErrors: string | null }
  >(
    'SELECT skip_reasons AS skipReasons, channel_errors AS channelErrors FROM broadcasts WHERE id = ?',
  );
  const writeSkipReasons = db.prepare('UPDATE broadcasts SET skip_reasons = ? WHERE id = ?');
  const writeChannelErrors = db.prepare('UPDATE broadcasts SET channel_errors = ? WHERE id = ?');
  const resetFailures = db.prepare(
    `UPDATE subscribers SET failures = 0 WHERE channel = ? AND user_id = ? AND failures > 0`,
  );
  const countFailure = db.prepare<Record<string, unknown>, { state: string }>(`
    UPDATE subscribers SET failures = failures + 1, updated_at = @now,
      state = CASE WHEN state = 'active' AND failures + 1 >= @limit THEN 'blocked' ELSE state END
    WHERE channel = @channel AND user_id = @userId
    RETURNING state`);
  const block = db.prepare(`
    UPDATE subscribers SET state = 'blocked', failures = failures + 1, updated_at = @now
    WHERE channel = @channel AND user_id = @userId AND state = 'active'`);
  const counters = db.prepare(`
    UPDATE broadcasts SET open = open - @settled, sent = sent + @sent, failed = failed + @failed,
      skipped = skipped + @skipped, held = held + @held
    WHERE id = @id`);
  const complete = db.prepare(`
    UPDATE broadcasts SET status = 'done', finished_at = @now WHERE id = @id AND open = 0 AND status = 'sending'`);
  const saveBatch = db.prepare(`
    INSERT OR REPLACE INTO send_batches (batch_key, broadcast_id, channel, msg_id, recipients, sent_at)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const run = <R>(work: () => R) => gate.run(work);

  return {
    transaction: (work) => gate.transaction(work),
    staleBatch: (channel, at) =>
      run(() => {
        const stale = staleKey.get(channel, at);
        return stale && { key: stale.key, rows: pickStale.all(channel, at, stale.key) };
      }),
    extendLease: (channel, key, leaseEnd) => run(() => void extend.run({ leaseEnd, key, channel })),
    due: (channel, at, limit) => run(() => pickPending.all(channel, at, limit)),
    claim: (ids, key, leaseEnd) =>
      run(() => void claim.run({ key, leaseEnd, ids: JSON.stringify(ids) })),
    hold: (id, until) => run(() => void hold.run(until, id)),
    skip: (ids, at, reason) =>
      run(() => void skip.run({ now: at, reason, ids: JSON.stringify(ids) })),
    markSent: (ids, key, at) =>
      run(() => markSent.run({ now: at, key, ids: JSON.stringify(ids) }).changes),
    markRetry: (id, key, due, error) =>
      run(() => markRetry.run({ id, key, due, error }).changes > 0),
    markFailed: (id, key, at, error) =>
      run(() => markFailed.run({ id, key, now: at, error }).changes > 0),
    release: (id, key, due, error) => run(() => release.run({ id, key, due, error }).changes > 0),
    queuedChannels: () =>
      run(() => {
        const channels = new Set<string>();
        for (const next of nextChannel) {
          for (let row = next.get(''); row; row = next.get(row.channel)) channels.add(row.channel);
        }
        return [...channels];
      }),
    skipChannel: (channel, at, reason) => run(() => skipChannel.all({ now: at, channel, reason })),
    noteSkipped: (broadcastId, reason, count) =>
      run(() => {
        const notes = readNotes.get(broadcastId);
        if (!notes) return;
        const reasons = parseRecord<number>(notes.skipReasons);
        reasons.set(reason, (reasons.get(reason) ?? 0) + count);
        writeSkipReasons.run(JSON.stringify(Object.fromEntries(reasons)), broadcastId);
      }),
    noteChannelError: (broadcastId, channel, error) =>
      run(() => {
        const notes = readNotes.get(broadcastId);
        if (!notes) return;
        const errors = parseRecord<ChannelError>(notes.channelErrors);
        errors.set(channel, { ...error, count: (errors.get(channel)?.count ?? 0) + 1 });
        writeChannelErrors.run(JSON.stringify(Object.fromEntries(errors)), broadcastId);
      }),
    saveBatch: (key, broadcastId, channel, msgId, recipients, at) =>
      run(() => void saveBatch.run(key, broadcastId, channel, msgId, recipients, at)),
    resetFailures: (channel, userId) => run(() => void resetFailures.run(channel, userId)),
    countFailure: (channel, userId, limit, at) =>
      run(() => countFailure.get({ channel, userId, limit, now: at })?.state),
    block: (channel, userId, at) => run(() => void block.run({ channel, userId, now: at })),
    settle: (id, change, at) =>
      run(() => {
        counters.run({ id, settled: 0, sent: 0, failed: 0, skipped: 0, held: 0, ...change });
        complete.run({ id, now: at });
      }),
  };
}

/** A JSON object column as a Map: its keys (reasons, channel names) are data, never properties. */
export function parseRecord<T>(json: string | null): Map<string, T> {
  return new Map(json ? Object.entries(JSON.parse(json) as Record<string, T>) : []);
}
