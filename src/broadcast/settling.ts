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
) => StepResult;

const NO_RESULT: SendResult = { status: 'retry', error: 'the channel gave no result' };

/**
 * Records what the channel answered for one batch, in one transaction. Every write is
 * guarded by the batch key, so a late process cannot overwrite a batch another one took over.
 */
export function createSettler({ store, retry, blockAfterFailures }: SettlerOptions): Settler {
  return (sender, batch, results, at, pausedUntil) =>
    store.transaction(() => {
      const t = at.getTime();
      const result = { ...EMPTY_STEP };
      const sentIds: number[] = [];
      let msgId: string | undefined;
      let failed = 0;
      const fail = (id: number, error: string) => {
        const changed = store.markFailed(id, batch.key, t, error);
        if (changed) failed++;
        return changed;
      };
      batch.rows.forEach((row, i) => {
        const outcome = results[i] ?? NO_RESULT;
        switch (outcome.status) {
          case 'sent':
            sentIds.push(row.id);
            msgId ??= outcome.msgId;
            if (row.failures) store.resetFailures(sender.channel, row.userId);
            return;
          case 'retry': {
            const due = nextAttemptAt(retry, row.attempts, t, outcome.retryAfterMs);
            if (due === undefined) break;
            if (store.markRetry(row.id, batch.key, due, outcome.error)) result.retried++;
            return;
          }
          case 'paused':
            // The account was refused, not this recipient: no attempt, no failure counted.
            if (store.release(row.id, batch.key, pausedUntil ?? t, outcome.error)) result.paused++;
            return;
          case 'blocked':
            if (fail(row.id, outcome.error)) {
              store.block(sender.channel, row.userId, t);
              result.blocked++;
            }
            return;
          case 'failed':
            if (fail(row.id, outcome.error) && outcome.recipient) {
              const after = store.countFailure(sender.channel, row.userId, blockAfterFailures, t);
              if (after === 'blocked' && row.state === 'active') result.blocked++;
            }
            return;
        }
        // Out of attempts: a retryable error never named the recipient, so it is not counted.
        fail(row.id, outcome.error);
      });
      const refusal = results.find((r) => r.status === 'paused');
      if (refusal && pausedUntil !== undefined) {
        store.noteChannelError(batch.broadcastId, sender.channel, {
          error: refusal.error,
          errcode: refusal.errcode,
          at: t,
          pausedUntil,
        });
      }
      const sent = sentIds.length ? store.markSent(sentIds, batch.key, t) : 0;
      if (msgId)
        store.saveBatch(batch.key, batch.broadcastId, sender.channel, msgId, sentIds.length, t);
      store.settle(batch.broadcastId, { settled: sent + failed, sent, failed }, t);
      return { ...result, sent, failed };
    });
}
