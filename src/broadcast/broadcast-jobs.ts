import { startJobEngine, type JobEngine } from '../jobs/job-engine.ts';
import type { Logger } from '../log/logger.ts';
import { currentSchema, describe, type Pg } from '../postgres/database.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Schedule, Scheduler } from './scheduler.ts';

/**
 * On PostgreSQL, schedules and fan-out run on the job engine (graphile-worker) shared by
 * every instance: each schedule is a cron item (a tick runs once across instances, missed
 * ticks are backfilled within the catch-up hours), and a new broadcast enqueues one
 * dispatch job per channel, which whichever instance is free takes and drains, retried
 * with backoff if it fails. The delivery rows stay the record: a job run twice sends
 * nothing twice.
 */
export async function startBroadcastJobs(options: {
  pg: Pg;
  log: Logger;
  schedules: Schedule[];
  catchUpHours: number;
  scheduler: Scheduler;
  dispatcher: Dispatcher;
  /** The hourly sweep of ended broadcasts' delivery partitions. */
  prune(): Promise<void>;
}): Promise<JobEngine> {
  const { pg, log, scheduler, dispatcher } = options;
  return startJobEngine({
    pg,
    schema: await jobSchema(pg),
    log,
    schedules: options.schedules.map((schedule) => ({
      id: schedule.name,
      cron: schedule.times.expression,
      timeZone: schedule.times.timeZone,
    })),
    catchUpHours: options.catchUpHours,
    tasks: {
      async tick(name, tickAt) {
        await scheduler.fireTick(name, tickAt);
      },
      async dispatch(channel) {
        await dispatcher.drainChannel(channel);
      },
      prune: options.prune,
    },
  });
}

/** Wakes every channel's dispatch job; a failure is logged (the instances' own workers still poll). */
export function wakeChannels(jobs: JobEngine, dispatcher: Dispatcher, log: Logger): void {
  for (const channel of dispatcher.channels()) {
    jobs
      .wake(channel)
      .catch((err: unknown) =>
        log.warn({ err: describe(err), channel }, 'could not enqueue a dispatch job'),
      );
  }
}

/**
 * graphile-worker's schema: `graphile_worker` beside an account in `public`, else one named
 * after the account's schema (several accounts, or tests, on one database never share jobs).
 */
async function jobSchema(pg: Pg): Promise<string> {
  const schema = await currentSchema(pg);
  return schema === 'public' ? 'graphile_worker' : `${schema}_jobs`.slice(0, 63);
}
