import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { MassJob, MassStore } from './mass-store.ts';
import type { CallbackPoster, EventSink, FollowerDirectory, TimelineWriter } from './ports.ts';
import { planChunk } from './mass-recipients.ts';
import { shanghaiMonth } from './shanghai-time.ts';

/** Recipients a chunk takes: one transaction each, so 100,000 followers are 20 commits. */
export const DELIVERY_CHUNK = 5_000;
export { SERVICE_MONTHLY_RECEIPTS } from './mass-recipients.ts';

export interface DeliveryDeps {
  store: MassStore;
  /** One transaction of the simulator's database for `work`. */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /** Inside `atomically`: if `work` throws, only its writes are undone. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  clock: Clock;
  followers: FollowerDirectory;
  timeline: TimelineWriter;
  callback: CallbackPoster;
  events: EventSink;
  accountType: 'subscription' | 'service';
  /** Members of a tag in OpenID order after `after`. */
  tagMembers(tagId: number, after: string, limit: number): Promise<string[]>;
  log?: Pick<Logger, 'warn'>;
}

/** The next chunk of a job's recipients, where its cursor left off. */
export async function nextRecipients(
  job: MassJob,
  deps: DeliveryDeps,
): Promise<{ openids: string[]; cursor: string | null; last: boolean }> {
  const { target } = job;
  if (target.kind === 'list') {
    const start = Number(job.cursor ?? 0);
    const end = Math.min(target.openids.length, start + DELIVERY_CHUNK);
    const openids = target.openids.slice(start, end);
    return { openids, cursor: String(end), last: end >= target.openids.length };
  }
  const openids =
    target.kind === 'all'
      ? (await deps.followers.page(job.cursor ?? undefined, DELIVERY_CHUNK)).openids
      : await deps.tagMembers(target.tagId, job.cursor ?? '', DELIVERY_CHUNK);
  return { openids, cursor: openids.at(-1) ?? job.cursor, last: openids.length < DELIVERY_CHUNK };
}

/**
 * Puts a chunk on the timelines and the job's counts forward, in one transaction. The chunk
 * is read and written set-based (a handful of statements on PostgreSQL); if a set statement
 * fails, it goes again one recipient at a time, so a bad one costs only itself.
 */
export async function deliverChunk(
  job: MassJob,
  chunk: { openids: string[]; cursor: string | null },
  deps: DeliveryDeps,
) {
  const month = shanghaiMonth(deps.clock.now());
  await deps.atomically(async () => {
    const plan = await planChunk(job, chunk.openids, month, deps);
    const failed = await deliverAll(job, plan.recipients, month, deps);
    await deps.store.progress(job.msgId, {
      cursor: chunk.cursor,
      done: chunk.openids.length,
      sent: plan.recipients.length - failed,
      errors: plan.errors + failed,
      filteredOut: plan.filteredOut,
    });
  });
}

/** Receipts and timeline items for `openids`; answers how many could not have them. */
async function deliverAll(job: MassJob, openids: string[], month: string, deps: DeliveryDeps) {
  const item = {
    source: 'mass' as const,
    message: job.message,
    msgId: String(job.msgId),
    record: { api: `message/${job.api}`, msg_id: job.msgId },
  };
  const service = deps.accountType === 'service';
  try {
    await deps.savepoint(async () => {
      if (service) await deps.store.receiveAll(openids, month);
      await deps.timeline.appendMany(openids, item);
    });
    return 0;
  } catch (error) {
    deps.log?.warn({ err: error, msgId: job.msgId }, 'mass chunk refused; one recipient at a time');
  }
  let failed = 0;
  for (const openid of openids) {
    try {
      await deps.savepoint(async () => {
        if (service) await deps.store.receive(openid, month);
        await deps.timeline.append(openid, item);
      });
    } catch (error) {
      // One timeline that cannot take the message costs that user only, not the chunk.
      deps.log?.warn({ err: error, openid, msgId: job.msgId }, 'mass message not delivered');
      failed++;
    }
  }
  return failed;
}

/** Marks the job done and tells the account with MASSSENDJOBFINISH, counts as delivered. */
export async function finishJob(job: MassJob, deps: DeliveryDeps) {
  const failed = job.sent === 0 && job.errors > 0;
  await deps.store.setStatus(
    job.msgId,
    failed ? 'SEND_FAIL' : 'SEND_SUCCESS',
    deps.clock.now().getTime(),
  );
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
