import type { ChannelSender, SendResult } from './channel-sender.ts';
import type { Batch } from './claiming.ts';
import type { DispatchStore } from './dispatch-store.ts';
import { nextAttemptAt, type RetryPolicyOptions } from './retry-policy.ts';
import { EMPTY_STEP, type StepResult } from './step-result.ts';

export interface SettlerOptions {
  store: DispatchStore;
  retry: RetryPolicyOptions;
  /** Consecutive failed deliveries after which a subscriber is marked blocked. */
  blockAfterFailures: number;
}

/** `pausedUntil`: when the channel resumes, if the platform refused its account in this batch. */
export type Settler = (
  sender: ChannelSender,
  batch: Batch,
  results: SendResult[],
  at: Date,
  pausedUntil?: number,
) => Promise<StepResult>;

const NO_RESULT: SendResult = { status: 'retry', error: 'the channel gave no result' };

/**
 * Records what the channel answered for one batch, in one transaction. Every write is
 * guarded by the batch key, so a late process cannot overwrite a batch another one took over.
 */
export function createSettler({ store, retry, blockAfterFailures }: SettlerOptions): Settler {
  return (sender, batch, results, at, pausedUntil) =>
    store.transaction(async () => {
      const t = at.getTime();
      const result = { ...EMPTY_STEP };
      const sentIds: number[] = [];
      let msgId: string | undefined;
      let failed = 0;
      const fail = async (id: number, error: string) => {
        const changed = await store.markFailed(id, batch.key, t, error);
        if (changed) failed++;
        return changed;
      };
      for (const [i, row] of batch.rows.entries()) {
        const outcome = results[i] ?? NO_RESULT;
        switch (outcome.status) {
          case 'sent':
            sentIds.push(row.id);
            msgId ??= outcome.msgId;
            if (row.failures) await store.resetFailures(sender.channel, row.userId);
            continue;
          case 'retry': {
            const due = nextAttemptAt(retry, row.attempts, t, outcome.retryAfterMs);
            if (due === undefined) break;
            if (await store.markRetry(row.id, batch.key, due, outcome.error)) result.retried++;
            continue;
          }
          case 'paused':
            // The account was refused, not this recipient: no attempt, no failure counted.
            if (await store.release(row.id, batch.key, pausedUntil ?? t, outcome.error))
              result.paused++;
            continue;
          case 'blocked':
            if (await fail(row.id, outcome.error)) {
              await store.block(sender.channel, row.userId, t);
              result.blocked++;
            }
            continue;
          case 'failed':
            if ((await fail(row.id, outcome.error)) && outcome.recipient) {
              const after = await store.countFailure(
                sender.channel,
                row.userId,
                blockAfterFailures,
                t,
              );
              if (after === 'blocked' && row.state === 'active') result.blocked++;
            }
            continue;
        }
        // Out of attempts: a retryable error never named the recipient, so it is not counted.
        await fail(row.id, outcome.error);
      }
      const refusal = results.find((r) => r.status === 'paused');
      if (refusal && pausedUntil !== undefined) {
        await store.noteChannelError(batch.broadcastId, sender.channel, {
          error: refusal.error,
          errcode: refusal.errcode,
          at: t,
          pausedUntil,
        });
      }
      const sent = sentIds.length ? await store.markSent(sentIds, batch.key, t) : 0;
      if (msgId)
        await store.saveBatch(
          batch.key,
          batch.broadcastId,
          sender.channel,
          msgId,
          sentIds.length,
          t,
        );
      await store.settle(batch.broadcastId, { settled: sent + failed, sent, failed }, t);
      return { ...result, sent, failed };
    });
}
