import type Database from 'better-sqlite3';
import type { Clock, ClockTimer, VirtualClock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { MassJob, MassStore } from './mass-store.ts';
import type { CallbackPoster, EventSink, FollowerDirectory, TimelineWriter } from './ports.ts';
import { shanghaiMonth } from './shanghai-time.ts';

/** Recipients a chunk takes: one transaction each, so 100,000 followers are 20 commits. */
export const DELIVERY_CHUNK = 5_000;
/** A service account reaches each user at most 4 times a month; the rest are filtered out. */
export const SERVICE_MONTHLY_RECEIPTS = 4;

export interface DeliveryDeps {
  db: Database.Database;
  store: MassStore;
  clock: Clock;
  followers: FollowerDirectory;
  timeline: TimelineWriter;
  callback: CallbackPoster;
  events: EventSink;
  accountType: 'subscription' | 'service';
  /** Members of a tag in OpenID order after `after`. */
  tagMembers(tagId: number, after: string, limit: number): string[];
  log?: Pick<Logger, 'warn'>;
}

const isVirtual = (clock: Clock): clock is VirtualClock =>
  typeof (clock as Partial<VirtualClock>).at === 'function';

/**
 * Delivers mass jobs in chunks at the job's speed, each chunk at its due moment on the
 * clock: a virtual clock's travel runs the chunks due inside the window; with real time a
 * timer does. Progress lives in the job's row, so a restart goes on where it stopped.
 */
export function createMassDelivery(deps: DeliveryDeps) {
  const { db, store, clock } = deps;
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
    const job = store.get(msgId);
    if (closed || !job || job.status !== 'SENDING') return;
    const { openids, cursor, last } = nextRecipients(job);
    db.transaction(() => deliver(job, openids, cursor))();
    const after = store.get(msgId)!;
    if (!last) return schedule(after);
    await finish(after);
  }

  function nextRecipients(job: MassJob): {
    openids: string[];
    cursor: string | null;
    last: boolean;
  } {
    const { target } = job;
    if (target.kind === 'list') {
      const start = Number(job.cursor ?? 0);
      const end = Math.min(target.openids.length, start + DELIVERY_CHUNK);
      return {
        openids: target.openids.slice(start, end),
        cursor: String(end),
        last: end >= target.openids.length,
      };
    }
    const openids =
      target.kind === 'all'
        ? deps.followers.page(job.cursor ?? undefined, DELIVERY_CHUNK).openids
        : deps.tagMembers(target.tagId, job.cursor ?? '', DELIVERY_CHUNK);
    return { openids, cursor: openids.at(-1) ?? job.cursor, last: openids.length < DELIVERY_CHUNK };
  }

  function deliver(job: MassJob, openids: string[], cursor: string | null) {
    const month = shanghaiMonth(clock.now());
    const step = { cursor, done: openids.length, sent: 0, errors: 0, filteredOut: 0 };
    for (const openid of openids) {
      // The follower list is followers only; a tag or a list may name someone who left.
      if (job.target.kind !== 'all' && !deps.followers.get(openid)?.subscribed) {
        step.errors++;
        continue;
      }
      if (deps.accountType === 'service') {
        if (store.receivedThisMonth(openid, month) >= SERVICE_MONTHLY_RECEIPTS) {
          step.filteredOut++;
          continue;
        }
        store.receive(openid, month);
      }
      deps.timeline.append(openid, {
        source: 'mass',
        message: job.message,
        msgId: String(job.msgId),
        record: { api: `message/${job.api}`, msg_id: job.msgId },
      });
      step.sent++;
    }
    store.progress(job.msgId, step);
  }

  async function finish(job: MassJob) {
    const failed = job.sent === 0 && job.errors > 0;
    store.setStatus(job.msgId, failed ? 'SEND_FAIL' : 'SEND_SUCCESS', clock.now().getTime());
    const counts = {
      TotalCount: job.done,
      // The platform's FilterCount is what is left to send after filtering: sent + errors.
      FilterCount: job.done - job.filteredOut,
      SentCount: job.sent,
      ErrorCount: job.errors,
    };
    deps.events.emit('platform.mass.finished', { msgId: String(job.msgId), ...counts });
    try {
      await deps.callback.postEvent({
        MsgType: 'event',
        Event: 'MASSSENDJOBFINISH',
        MsgID: job.msgId,
        Status: failed ? 'send fail' : 'send success',
        ...counts,
        ...(job.message.msgtype === 'mpnews'
          ? { CopyrightCheckResult: { Count: 0, ResultList: {}, CheckState: 1 } }
          : {}),
      });
    } catch (error) {
      // The account may be down: the job is done all the same, as on the platform.
      deps.log?.warn({ err: error, msgId: job.msgId }, 'MASSSENDJOBFINISH was not delivered');
    }
  }

  return {
    start(job: MassJob) {
      schedule(job);
    },
    /** Picks up jobs a previous run left half-sent. */
    resume() {
      for (const msgId of store.sending()) {
        const job = store.get(msgId);
        if (job) schedule(job);
      }
    },
    stop(msgId: number) {
      timers.get(msgId)?.cancel();
      timers.delete(msgId);
    },
    pending: () => timers.size,
    /** Cancels every timer; jobs stay SENDING in the database. */
    cancelAll() {
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    },
    close() {
      closed = true;
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    },
  };
}
