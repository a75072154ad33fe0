import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import { quietUntil } from '../time/quiet-hours.ts';
import { batchKey } from './batch-key.ts';
import type { BroadcastStore } from './broadcast-store.ts';
import type { ChannelSender } from './channel-sender.ts';
import type { ClaimedRow, DispatchStore } from './dispatch-store.ts';
import { EMPTY_STEP, type StepResult } from './step-result.ts';

/** Deliveries claimed together: one broadcast, one reply, one call to the channel. */
export interface Batch {
  key: string;
  broadcastId: number;
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

export type Claimer = (sender: ChannelSender, at: Date) => { batches: Batch[]; result: StepResult };

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

  function takeOver(sender: ChannelSender, t: number) {
    const stale = store.staleBatch(sender.channel, t);
    if (!stale) return undefined;
    store.extendLease(sender.channel, stale.key, t + leaseMs);
    const reply = stale.rows[0] && replies.reply(stale.rows[0].broadcastId);
    log.warn(
      { channel: sender.channel, batch: stale.key, deliveries: stale.rows.length },
      'taking over a batch whose claim ran out',
    );
    if (!reply) return { batches: [], result: EMPTY_STEP };
    const batch = {
      key: stale.key,
      broadcastId: stale.rows[0]!.broadcastId,
      reply: reply.reply,
      rows: stale.rows,
    };
    return { batches: [batch], result: { ...EMPTY_STEP, claimed: stale.rows.length } };
  }

  function claimFresh(sender: ChannelSender, at: Date) {
    const t = at.getTime();
    // Never claim more than a second's worth under the rate limit: a claim holds its lease.
    const wanted = sender.pace ? sender.maxBatch : Math.max(sender.maxBatch, batchSize);
    const claimSize = ratePerSecond > 0 ? Math.max(1, Math.min(wanted, ratePerSecond)) : wanted;
    const picked = store.due(sender.channel, t, claimSize);
    if (picked.length === 0) return { batches: [], result: EMPTY_STEP };
    // One broadcast per claim: a batch sends one reply.
    const broadcastId = picked[0]!.broadcastId;
    const rows = picked.filter((row) => row.broadcastId === broadcastId);
    const broadcast = replies.reply(broadcastId);
    const preview = broadcast?.kind === 'preview';
    const toSkip: number[] = [];
    const toSend: ClaimedRow[] = [];
    let held = 0;
    let released = 0;
    for (const row of rows) {
      if (!broadcast || (!preview && row.state !== 'active')) {
        toSkip.push(row.id);
        continue;
      }
      const until = preview ? undefined : quietEnd(row, at, defaultTimeZone);
      if (until) {
        store.hold(row.id, until.getTime());
        if (!row.held) held++;
        continue;
      }
      if (row.held) released++;
      toSend.push(row);
    }
    if (toSkip.length) store.skip(toSkip, t, 'subscriber is no longer active');
    const batches: Batch[] = [];
    for (let i = 0; i < toSend.length; i += sender.maxBatch) {
      const chunk = toSend.slice(i, i + sender.maxBatch);
      const key = batchKey(broadcastId, owner, batchCount++);
      store.claim(
        chunk.map((row) => row.id),
        key,
        t + leaseMs,
      );
      batches.push({ key, broadcastId, reply: broadcast!.reply, rows: chunk });
    }
    const skipped = toSkip.length;
    store.settle(broadcastId, { settled: skipped, skipped, held: held - released }, t);
    return { batches, result: { ...EMPTY_STEP, claimed: rows.length, skipped, held } };
  }

  return (sender, at) =>
    store.transaction(() => takeOver(sender, at.getTime()) ?? claimFresh(sender, at));
}

/** When the subscriber's quiet hours end, if they are in them now. */
function quietEnd(row: ClaimedRow, at: Date, defaultTimeZone: string): Date | undefined {
  if (row.quietStart === null || row.quietEnd === null) return undefined;
  return quietUntil(at, row.timeZone ?? defaultTimeZone, {
    start: row.quietStart,
    end: row.quietEnd,
  });
}
