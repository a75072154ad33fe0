import { randomUUID } from 'node:crypto';
import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import type { Db } from '../store/database.ts';
import type { BroadcastStore } from './broadcast-store.ts';
import type { ChannelSender, Recipient, SendResult } from './channel-sender.ts';
import { quietUntil } from '../time/quiet-hours.ts';
import { createRateLimiter, realWait, type Wait } from './rate-limiter.ts';

export interface DispatcherOptions {
  db: Db;
  store: BroadcastStore;
  log: Logger;
  /** The account's time zone: quiet hours of a subscriber who set none are read in it. */
  defaultTimeZone: string;
  now?: () => Date;
  /** Deliveries claimed in one transaction (a channel with a bigger `maxBatch` claims that many). */
  batchSize?: number;
  /** How long a claim is ours; after it, another process takes the batch over (a crash). */
  leaseMs?: number;
  /** Attempts before a retryable failure becomes final. */
  maxAttempts?: number;
  /** First retry delay; it doubles with each attempt, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Consecutive failed deliveries after which a subscriber is marked blocked. */
  blockAfterFailures?: number;
  /** Deliveries a second across every channel; 0 = no limit. */
  ratePerSecond?: number;
  /** Pause when nothing is due. */
  idleMs?: number;
  wait?: Wait;
  /** Names this process in its batch keys. */
  owner?: string;
}

/** What one round of the dispatcher did. */
export interface StepResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  blocked: number;
  skipped: number;
  held: number;
}

export interface Dispatcher {
  /** Adds a channel; its pending deliveries start moving. One line per channel. */
  register(sender: ChannelSender): void;
  /** One round for every channel: claim a batch, send it, record the results. */
  step(): Promise<StepResult>;
  /** Steps until a round claims nothing (tests and the bench); returns the sum. */
  drain(maxRounds?: number): Promise<StepResult>;
  /** Runs one worker per channel until `stop()`. */
  start(): void;
  /** Ends the workers after their current batch. */
  stop(): Promise<void>;
  /** Ends an idle pause early: a broadcast was just created. */
  wake(): void;
}

interface Claimed {
  id: number;
  broadcastId: number;
  userId: string;
  attempts: number;
  held: number;
  state: string | null;
  timeZone: string | null;
  quietStart: number | null;
  quietEnd: number | null;
  failures: number | null;
}

interface Batch {
  key: string;
  broadcastId: number;
  reply: Reply;
  rows: Claimed[];
}

const EMPTY: StepResult = {
  claimed: 0,
  sent: 0,
  retried: 0,
  failed: 0,
  blocked: 0,
  skipped: 0,
  held: 0,
};
const add = (a: StepResult, b: StepResult): StepResult => ({
  claimed: a.claimed + b.claimed,
  sent: a.sent + b.sent,
  retried: a.retried + b.retried,
  failed: a.failed + b.failed,
  blocked: a.blocked + b.blocked,
  skipped: a.skipped + b.skipped,
  held: a.held + b.held,
});

/** The broadcast a batch key belongs to (`b<broadcast id>-...`). */
export function batchBroadcast(batchKey: string): number | undefined {
  const id = /^b(\d+)-/.exec(batchKey)?.[1];
  return id === undefined ? undefined : Number(id);
}

/**
 * Drains the outbox. A batch is claimed in an IMMEDIATE transaction (batch key and lease
 * written before anything is sent), so two processes never hold the same delivery;
 * results are recorded in one transaction per batch, guarded by the batch key, so a late
 * process cannot overwrite a batch another one took over. A batch whose lease ran out
 * (its process died) is sent again whole, with the same idempotency key, so a channel
 * that drops duplicates (WeChat's `clientmsgid`, the simulated inbox) sees each delivery
 * once.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const {
    db,
    store,
    log,
    defaultTimeZone,
    now = () => new Date(),
    batchSize = 500,
    leaseMs = 60_000,
    maxAttempts = 5,
    retryBaseMs = 30_000,
    retryMaxMs = 3_600_000,
    blockAfterFailures = 3,
    ratePerSecond = 0,
    idleMs = 1000,
    wait = realWait,
    owner = randomUUID().slice(0, 8),
  } = options;
  const senders = new Map<string, ChannelSender>();
  const rate = createRateLimiter(ratePerSecond, { wait });
  let running = false;
  const workers: Promise<void>[] = [];
  const sleepers = new Set<() => void>();
  let batchCount = 0;

  const columns = `d.id, d.broadcast_id AS broadcastId, d.user_id AS userId, d.attempts, d.held,
    s.state, s.time_zone AS timeZone, s.quiet_start AS quietStart, s.quiet_end AS quietEnd, s.failures`;
  const pickPending = db.prepare<[string, number, number], Claimed>(`
    SELECT ${columns} FROM deliveries d
    LEFT JOIN subscribers s ON s.channel = d.channel AND s.user_id = d.user_id
    WHERE d.channel = ? AND d.status = 'pending' AND d.due_at <= ? ORDER BY d.due_at LIMIT ?`);
  const staleKey = db.prepare<[string, number], { key: string }>(
    `SELECT batch_key AS key FROM deliveries WHERE channel = ? AND status = 'claimed' AND due_at <= ? LIMIT 1`,
  );
  const pickStale = db.prepare<[string, number, string], Claimed>(`
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
    UPDATE deliveries SET status = 'skipped', settled_at = @now, error = 'subscriber is no longer active'
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
  const resetFailures = db.prepare(
    `UPDATE subscribers SET failures = 0 WHERE channel = ? AND user_id = ? AND failures > 0`,
  );
  const countFailure = db.prepare(`
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

  const settle = (
    id: number,
    change: Partial<Record<'settled' | 'sent' | 'failed' | 'skipped' | 'held', number>>,
    at: number,
  ) => {
    counters.run({ id, settled: 0, sent: 0, failed: 0, skipped: 0, held: 0, ...change });
    complete.run({ id, now: at });
  };

  /** Claims the next batches of a channel: a stale one taken over whole, or fresh pending deliveries. */
  const claimBatches = db.transaction(
    (
      sender: ChannelSender,
      at: Date,
    ): {
      batches: Batch[];
      result: StepResult;
    } => {
      const t = at.getTime();
      const leaseEnd = t + leaseMs;
      const stale = staleKey.get(sender.channel, t);
      if (stale) {
        const rows = pickStale.all(sender.channel, t, stale.key);
        extend.run({ leaseEnd, key: stale.key, channel: sender.channel });
        const reply = rows[0] && store.reply(rows[0].broadcastId);
        log.warn(
          { channel: sender.channel, batch: stale.key, deliveries: rows.length },
          'taking over a batch whose claim ran out',
        );
        if (!reply) return { batches: [], result: EMPTY };
        return {
          batches: [
            { key: stale.key, broadcastId: rows[0]!.broadcastId, reply: reply.reply, rows },
          ],
          result: { ...EMPTY, claimed: rows.length },
        };
      }
      // Never claim more than a second's worth under the rate limit: a claim holds its lease.
      const wanted = sender.pace ? sender.maxBatch : Math.max(sender.maxBatch, batchSize);
      const claimSize = ratePerSecond > 0 ? Math.max(1, Math.min(wanted, ratePerSecond)) : wanted;
      const picked = pickPending.all(sender.channel, t, claimSize);
      if (picked.length === 0) return { batches: [], result: EMPTY };
      // One broadcast per claim: a batch sends one reply.
      const broadcastId = picked[0]!.broadcastId;
      const rows = picked.filter((row) => row.broadcastId === broadcastId);
      const broadcast = store.reply(broadcastId);
      const preview = broadcast?.kind === 'preview';
      const toSkip: number[] = [];
      const toSend: Claimed[] = [];
      let held = 0;
      let released = 0;
      for (const row of rows) {
        if (!broadcast || (!preview && row.state !== 'active')) {
          toSkip.push(row.id);
          continue;
        }
        const until =
          !preview && row.quietStart !== null && row.quietEnd !== null
            ? quietUntil(at, row.timeZone ?? defaultTimeZone, {
                start: row.quietStart,
                end: row.quietEnd,
              })
            : undefined;
        if (until) {
          hold.run(until.getTime(), row.id);
          if (!row.held) held++;
          continue;
        }
        if (row.held) released++;
        toSend.push(row);
      }
      if (toSkip.length) skip.run({ now: t, ids: JSON.stringify(toSkip) });
      const batches: Batch[] = [];
      for (let i = 0; i < toSend.length; i += sender.maxBatch) {
        const chunk = toSend.slice(i, i + sender.maxBatch);
        // Short, as it is written on every delivery of the batch; unique by owner and counter.
        const key = `b${broadcastId}-${owner}-${(batchCount++).toString(36)}`;
        claim.run({ key, leaseEnd, ids: JSON.stringify(chunk.map((row) => row.id)) });
        batches.push({ key, broadcastId, reply: broadcast!.reply, rows: chunk });
      }
      settle(
        broadcastId,
        { settled: toSkip.length, skipped: toSkip.length, held: held - released },
        t,
      );
      return {
        batches,
        result: { ...EMPTY, claimed: rows.length, skipped: toSkip.length, held },
      };
    },
  );

  /** Records what the channel answered for one batch; one transaction. */
  const record = db.transaction(
    (sender: ChannelSender, batch: Batch, results: SendResult[], at: Date): StepResult => {
      const t = at.getTime();
      const result = { ...EMPTY };
      const sentIds: number[] = [];
      let msgId: string | undefined;
      let failed = 0;
      batch.rows.forEach((row, i) => {
        const outcome: SendResult = results[i] ?? {
          status: 'retry',
          error: 'the channel gave no result',
        };
        const target = { channel: sender.channel, userId: row.userId, now: t };
        switch (outcome.status) {
          case 'sent':
            sentIds.push(row.id);
            msgId ??= outcome.msgId;
            if (row.failures) resetFailures.run(sender.channel, row.userId);
            return;
          case 'retry':
            if (row.attempts + 1 < maxAttempts) {
              const backoff = Math.min(retryBaseMs * 2 ** row.attempts, retryMaxMs);
              const due = t + Math.max(backoff, outcome.retryAfterMs ?? 0);
              if (markRetry.run({ id: row.id, key: batch.key, due, error: outcome.error }).changes)
                result.retried++;
              return;
            }
            break;
          case 'blocked':
            if (
              markFailed.run({ id: row.id, key: batch.key, now: t, error: outcome.error }).changes
            ) {
              failed++;
              block.run(target);
              result.blocked++;
            }
            return;
          case 'failed':
            break;
        }
        if (markFailed.run({ id: row.id, key: batch.key, now: t, error: outcome.error }).changes) {
          failed++;
          const after = countFailure.get({ ...target, limit: blockAfterFailures }) as
            { state: string } | undefined;
          if (after?.state === 'blocked' && row.state === 'active') result.blocked++;
        }
      });
      const sent = sentIds.length
        ? markSent.run({ now: t, key: batch.key, ids: JSON.stringify(sentIds) }).changes
        : 0;
      if (msgId)
        saveBatch.run(batch.key, batch.broadcastId, sender.channel, msgId, sentIds.length, t);
      settle(batch.broadcastId, { settled: sent + failed, sent, failed }, t);
      result.sent = sent;
      result.failed = failed;
      return result;
    },
  );

  async function sendBatch(sender: ChannelSender, batch: Batch): Promise<StepResult> {
    const recipients: Recipient[] = batch.rows.map((row) => ({
      deliveryId: row.id,
      userId: row.userId,
    }));
    await rate.take(recipients.length);
    let results: SendResult[];
    try {
      results = await sender.send(batch.reply, recipients, batch.key);
    } catch (error) {
      // A sender that throws has told us nothing about any recipient: all of them may be tried again.
      log.warn(
        { err: error, channel: sender.channel, batch: batch.key },
        'channel send failed; the batch will be retried',
      );
      results = recipients.map(() => ({ status: 'retry', error: String(error) }));
    }
    const outcome = record.immediate(sender, batch, results, now());
    if (sender.pace)
      await wait(sender.pace.intervalMs + Math.random() * (sender.pace.jitterMs ?? 0));
    return outcome;
  }

  async function stepChannel(sender: ChannelSender): Promise<StepResult> {
    const { batches, result } = claimBatches.immediate(sender, now());
    let total = result;
    for (const batch of batches) total = add(total, await sendBatch(sender, batch));
    return total;
  }

  function idle(): Promise<void> {
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        sleepers.delete(finish);
        done();
      };
      const timer = setTimeout(finish, idleMs);
      sleepers.add(finish);
    });
  }

  async function work(sender: ChannelSender): Promise<void> {
    while (running) {
      let result = EMPTY;
      try {
        result = await stepChannel(sender);
      } catch (error) {
        log.error(
          { err: error, channel: sender.channel },
          'dispatching a batch failed; will try again',
        );
      }
      if (result.claimed === 0 && running) await idle();
    }
  }

  const dispatcher: Dispatcher = {
    register(sender) {
      if (senders.has(sender.channel))
        throw new Error(`channel "${sender.channel}" already has a sender`);
      senders.set(sender.channel, sender);
      if (running) workers.push(work(sender));
    },
    async step() {
      let total = EMPTY;
      for (const sender of senders.values()) total = add(total, await stepChannel(sender));
      return total;
    },
    async drain(maxRounds = 1_000_000) {
      let total = EMPTY;
      for (let round = 0; round < maxRounds; round++) {
        const result = await dispatcher.step();
        total = add(total, result);
        if (result.claimed === 0) break;
      }
      return total;
    },
    start() {
      if (running) return;
      running = true;
      for (const sender of senders.values()) workers.push(work(sender));
    },
    async stop() {
      running = false;
      dispatcher.wake();
      await Promise.all(workers.splice(0));
    },
    wake() {
      for (const finish of [...sleepers]) finish();
    },
  };
  return dispatcher;
}
