import type { Clock, ClockTimer, VirtualClock } from '../../clock/clock.ts';
import { deliverChunk, finishJob, nextRecipients, type DeliveryDeps } from './mass-chunk.ts';
import type { MassJob } from './mass-store.ts';

export type { DeliveryDeps } from './mass-chunk.ts';

const isVirtual = (clock: Clock): clock is VirtualClock =>
  typeof (clock as Partial<VirtualClock>).at === 'function';

/**
 * Delivers mass jobs in chunks at the job's speed, each chunk at its due moment on the
 * clock: a virtual clock's travel runs the chunks due inside the window; with real time a
 * timer does. Progress lives in the job's row, so a restart goes on where it stopped.
 */
export function createMassDelivery(deps: DeliveryDeps) {
  const { store, clock } = deps;
  const timers = new Map<number, ClockTimer>();
  let closed = false;

  function runAt(instant: number, task: () => Promise<void>): ClockTimer {
    if (isVirtual(clock)) return clock.at(new Date(instant), task);
    const timer = setTimeout(() => void task(), Math.max(0, instant - clock.now().getTime()));
    return { cancel: () => clearTimeout(timer) };
  }

  function schedule(job: MassJob) {
    if (closed) return;
    // The n-th recipient is due n / rate minutes after the job was accepted.
    const due = job.createdAt + Math.floor((job.done * 60_000) / job.rate);
    timers.get(job.msgId)?.cancel();
    timers.set(
      job.msgId,
      runAt(due, () => runChunk(job.msgId)),
    );
  }

  async function runChunk(msgId: number) {
    timers.delete(msgId);
    const job = await store.get(msgId);
    if (closed || !job || job.status !== 'SENDING') return;
    let last: boolean;
    try {
      const chunk = await nextRecipients(job, deps);
      await deliverChunk(job, chunk, deps);
      last = chunk.last;
    } catch (error) {
      // The chunk rolled back; a job that cannot go on ends failed rather than hang SENDING.
      deps.log?.warn({ err: error, msgId }, 'mass job stopped by an error');
      await store.setStatus(msgId, 'SEND_FAIL', clock.now().getTime());
      return;
    }
    const after = (await store.get(msgId))!;
    if (last) await finishJob(after, deps);
    else schedule(after);
  }

  function cancelAll() {
    for (const timer of timers.values()) timer.cancel();
    timers.clear();
  }

  return {
    start: schedule,
    /** Picks up jobs a previous run left half-sent. */
    async resume() {
      for (const msgId of await store.sending()) {
        const job = await store.get(msgId);
        if (job) schedule(job);
      }
    },
    stop(msgId: number) {
      timers.get(msgId)?.cancel();
      timers.delete(msgId);
    },
    pending: () => timers.size,
    /** Cancels every timer; jobs stay SENDING in the database. */
    cancelAll,
    close() {
      closed = true;
      cancelAll();
    },
  };
}
