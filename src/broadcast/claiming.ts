import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import { quietUntil } from '../time/quiet-hours.ts';
import { batchKey } from './batch-key.ts';
import type { BroadcastStore } from './broadcast-store.ts';
import type { ChannelSender } from './channel-sender.ts';
import type { ClaimedRow, DispatchStore } from './dispatch-store.ts';
import { EMPTY_STEP, type StepResult } from './step-result.ts';

/** Deliveries claimed together: one broadcast, one set of its entries, one reply, one call. */
export interface Batch {
  key: string;
  broadcastId: number;
  entrySet: number;
  reply: Reply;
  rows: ClaimedRow[];
}

export interface ClaimerOptions {
  store: DispatchStore;
  replies: Pick<BroadcastStore, 'reply'>;
  log: Logger;
  defaultTimeZone: string;
  batchSize: number;
  leaseMs: number;
  ratePerSecond: number;
  owner: string;
}

export type Claimer = (
  sender: ChannelSender,
  at: Date,
) => Promise<{ batches: Batch[]; result: StepResult }>;

/**
 * Claims the next batches of a channel in one transaction (batch key and lease written
 * before anything is sent), so two processes never hold the same delivery: a stale batch
 * taken over whole, or fresh pending deliveries of one broadcast. Deliveries of a
 * subscriber who left are skipped; those in their quiet hours are held.
 */
export function createClaimer(options: ClaimerOptions): Claimer {
  const { store, replies, log, defaultTimeZone, batchSize, leaseMs, ratePerSecond, owner } =
    options;
  let batchCount = 0;

  /** Ends deliveries nothing will send, with the reason in the broadcast's report. */
  async function skip(rows: ClaimedRow[], broadcastId: number, t: number, reason: string) {
    await store.skip(
      rows.map((row) => row.id),
      t,
      reason,
    );
    const held = rows.filter((row) => row.held).length;
    await store.settle(broadcastId, { settled: rows.length, skipped: rows.length, held: -held }, t);
    await store.noteSkipped(broadcastId, reason, rows.length);
  }

  async function takeOver(sender: ChannelSender, t: number) {
    const stale = await store.staleBatch(sender.channel, t);
    if (!stale) return undefined;
    await store.extendLease(sender.channel, stale.key, t + leaseMs);
    const first = stale.rows[0]!;
    const reply = await replies.reply(first.broadcastId, first.entrySet);
    log.warn(
      { channel: sender.channel, batch: stale.key, deliveries: stale.rows.length },
      'taking over a batch whose claim ran out',
    );
    if (!reply) {
      // Its broadcast is gone: nothing could ever send these; end them rather than hold them.
      await skip(stale.rows, first.broadcastId, t, NO_BROADCAST);
      return { batches: [], result: { ...EMPTY_STEP, skipped: stale.rows.length } };
    }
    const batch = {
      key: stale.key,
      broadcastId: first.broadcastId,
      entrySet: first.entrySet,
      reply: reply.reply,
      rows: stale.rows,
    };
    return { batches: [batch], result: { ...EMPTY_STEP, claimed: stale.rows.length } };
  }

  async function claimFresh(sender: ChannelSender, at: Date) {
    const t = at.getTime();
    // Never claim more than a second's worth under the rate limit: a claim holds its lease.
    const wanted = sender.pace ? sender.maxBatch : Math.max(sender.maxBatch, batchSize);
    const claimSize = ratePerSecond > 0 ? Math.max(1, Math.min(wanted, ratePerSecond)) : wanted;
    const picked = await store.due(sender.channel, t, claimSize);
    if (picked.length === 0) return { batches: [], result: EMPTY_STEP };
    // One broadcast and one entry set per claim: a batch sends one reply.
    const { broadcastId, entrySet } = picked[0]!;
    const rows = picked.filter(
      (row) => row.broadcastId === broadcastId && row.entrySet === entrySet,
    );
    const broadcast = await replies.reply(broadcastId, entrySet);
    if (!broadcast) {
      await skip(rows, broadcastId, t, NO_BROADCAST);
      return { batches: [], result: { ...EMPTY_STEP, claimed: rows.length, skipped: rows.length } };
    }
    const preview = broadcast.kind === 'preview';
    const toSkip: ClaimedRow[] = [];
    const toSend: ClaimedRow[] = [];
    let held = 0;
    let released = 0;
    for (const row of rows) {
      if (!preview && row.state !== 'active') {
        toSkip.push(row);
        continue;
      }
      const until = preview ? undefined : quietEnd(row, at, defaultTimeZone);
      if (until) {
        await store.hold(row.id, until.getTime());
        if (!row.held) held++;
        continue;
      }
      if (row.held) released++;
      toSend.push(row);
    }
    if (toSkip.length) await skip(toSkip, broadcastId, t, NOT_ACTIVE);
    const batches: Batch[] = [];
    for (let i = 0; i < toSend.length; i += sender.maxBatch) {
      const chunk = toSend.slice(i, i + sender.maxBatch);
      const key = batchKey(broadcastId, entrySet, owner, batchCount++);
      await store.claim(
        chunk.map((row) => row.id),
        key,
        t + leaseMs,
      );
      batches.push({ key, broadcastId, entrySet, reply: broadcast.reply, rows: chunk });
    }
    await store.settle(broadcastId, { held: held - released }, t);
    return {
      batches,
      result: { ...EMPTY_STEP, claimed: rows.length, skipped: toSkip.length, held },
    };
  }

  return (sender, at) =>
    store.transaction(async () => (await takeOver(sender, at.getTime())) ?? claimFresh(sender, at));
}

const NOT_ACTIVE = 'subscriber is no longer active';
const NO_BROADCAST = 'the broadcast no longer exists';

/** When the subscriber's quiet hours end, if they are in them now. */
function quietEnd(row: ClaimedRow, at: Date, defaultTimeZone: string): Date | undefined {
  if (row.quietStart === null || row.quietEnd === null) return undefined;
  return quietUntil(at, row.timeZone ?? defaultTimeZone, {
    start: row.quietStart,
    end: row.quietEnd,
  });
}
