import { EventEmitter } from 'node:events';
import {
  makeWorkerUtils,
  run,
  type ParsedCronItem,
  type Runner,
  type Task,
  type WorkerEvents,
  type WorkerUtils,
} from 'graphile-worker';
import type { Logger } from '../log/logger.ts';
import { isUnavailable, untilAvailable } from '../postgres/availability.ts';
import { openPostgres, quoteIdent, type Pg } from '../postgres/database.ts';
import {
  PRUNE_TASK,
  pruneCronItems,
  scheduleCronItems,
  supersededTicks,
  TICK_TASK,
  type JobSchedule,
} from './cron-items.ts';
import { graphileLogger } from './graphile-logger.ts';
import { startHeartbeat, type HeartbeatOptions } from './heartbeat.ts';
import { startFailure } from './job-engine-error.ts';
import { jobHealth, type JobHealth } from './job-health.ts';

export type { JobHealth, JobSchedule };
export { JobEngineError } from './job-engine-error.ts';

/** The task that drains a channel's outbox; `wake` enqueues it. */
export const DISPATCH_TASK = 'oasim_dispatch';

/** What the jobs do: the account's own code, called by whichever instance takes the job. */
export interface JobTasks {
  /**
   * A schedule's tick. graphile-worker enqueues each tick once across instances, but a job
   * can run twice (its instance died after the work, before recording the job done): the
   * account records ticks by (schedule, tickAt), so a second run finds it done.
   */
  tick(scheduleId: string, tickAt: Date): Promise<void>;
  /** Sends what the channel has due. Throwing retries it later, with exponential backoff. */
  dispatch(channel: string): Promise<void>;
  /** The hourly retention sweep (once across instances); none when absent. */
  prune?(): Promise<void>;
}

export interface JobEngineOptions {
  /** The account's pool (shared), or a connection string (a pool of its own, migrated). */
  pg: Pg | string;
  /** graphile-worker's schema (default `graphile_worker`); tests use one of their own. */
  schema?: string;
  log: Logger;
  schedules?: readonly JobSchedule[];
  /** Ticks missed while every instance was down are run if this recent; 0 = none. */
  catchUpHours?: number;
  /**
   * After a downtime: run only the latest missed tick of each schedule, as the SQLite
   * scheduler does (default), or every one of them.
   */
  catchUp?: 'latest' | 'every';
  tasks: JobTasks;
  /** Jobs this instance runs at once. */
  concurrency?: number;
  /** Attempts of a dispatch job before it is left failed (graphile-worker backs off e^n s). */
  dispatchAttempts?: number;
  heartbeat?: HeartbeatOptions;
  /** How often idle workers look for jobs besides LISTEN/NOTIFY (retries come due this way). */
  pollIntervalMs?: number;
}

export interface JobEngine {
  /** Asks for a dispatch of `channel`; wakes collapse into one waiting job per channel. */
  wake(channel: string): Promise<void>;
  health(): Promise<JobHealth>;
  stop(): Promise<void>;
}

/**
 * Schedules and fan-out on graphile-worker: cron ticks once across instances (with missed
 * ticks caught up), dispatch jobs with retries, and a heartbeat that frees a dead
 * instance's jobs within seconds. Rejects with a JobEngineError when the database is
 * unusable.
 */
export async function startJobEngine(options: JobEngineOptions): Promise<JobEngine> {
  // A bad expression is the configuration's fault, said before the database is touched.
  const cronItems = [
    ...scheduleCronItems(options.schedules ?? [], { catchUpHours: options.catchUpHours ?? 0 }),
    ...(options.tasks.prune ? pruneCronItems() : []),
  ];
  const url = typeof options.pg === 'string' ? options.pg : undefined;
  let own: Pg | undefined;
  try {
    const pg = url ? (own = await openPostgres({ url, log: options.log })) : (options.pg as Pg);
    await pg.query('SELECT 1 FROM job_workers LIMIT 1');
    return await startOn(pg, cronItems, options, own);
  } catch (err) {
    await own?.close().catch(() => {});
    throw startFailure(err, url);
  }
}

async function startOn(
  pg: Pg,
  parsedCronItems: ParsedCronItem[],
  options: JobEngineOptions,
  own: Pg | undefined,
): Promise<JobEngine> {
  const {
    schema = 'graphile_worker',
    log,
    tasks,
    catchUp = 'latest',
    concurrency = 2,
    dispatchAttempts = 10,
    pollIntervalMs = 2_000,
  } = options;
  const logger = graphileLogger(log);
  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: pg.pool, schema, logger });
  const runningJobs = new Set<string>();
  const heartbeat = startHeartbeat({
    ...options.heartbeat,
    pg,
    workerSchema: quoteIdent(schema),
    log,
    unlock: (ids) => utils.forceUnlockWorkers(ids),
    runningJobs: () => runningJobs,
  });
  const events: WorkerEvents = new EventEmitter();
  events.on('job:start', ({ job }) => runningJobs.add(job.id));
  events.on('job:complete', ({ job }) => runningJobs.delete(job.id));
  // graphile-worker 0.17 locks a job in the name of the worker pool (`locked_by` is the pool's
  // id, not a worker's): the pool is what beats, and what force_unlock_workers frees.
  events.on('pool:create', ({ workerPool }) => heartbeat.add(workerPool.id));
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pg.pool,
      schema,
      logger,
      events,
      concurrency,
      pollInterval: pollIntervalMs,
      noHandleSignals: true,
      taskList: taskList(
        pg,
        tasks,
        catchUp === 'latest' ? supersededTicks(options.schedules ?? []) : undefined,
      ),
      parsedCronItems,
    });
  } catch (err) {
    await heartbeat.stop();
    await utils.release();
    throw err;
  }
  let running = true;
  let stopped: Promise<void> | undefined;
  runner.promise.catch((err: unknown) => {
    running = false;
    log.error({ err }, 'job engine stopped on an error');
  });

  return {
    async wake(channel) {
      await runner.addJob(
        DISPATCH_TASK,
        { channel },
        { jobKey: `dispatch:${channel}`, maxAttempts: dispatchAttempts },
      );
    },
    health: () => jobHealth(pg, quoteIdent(schema), heartbeat, running),
    stop() {
      running = false;
      // Beats go on until the workers have finished their jobs: a worker that stopped
      // beating while it still ran one would have that job run again elsewhere.
      stopped ??= (async () => {
        await runner.stop();
        await heartbeat.stop();
        await utils.release();
        await own?.close();
      })();
      return stopped;
    },
  };
}

function taskList(
  pg: Pg,
  tasks: JobTasks,
  superseded: ((scheduleId: string, tickAt: Date, now: Date) => boolean) | undefined,
): Record<string, Task> {
  return {
    [TICK_TASK]: outlastingOutages(pg, async (payload, helpers) => {
      const { schedule, _cron } = payload as { schedule: string; _cron: { ts: string } };
      const tickAt = new Date(_cron.ts);
      if (superseded?.(schedule, tickAt, new Date())) {
        helpers.logger.debug(`tick ${schedule} ${_cron.ts} skipped: a later one is due`);
        return;
      }
      await tasks.tick(schedule, tickAt);
    }),
    [DISPATCH_TASK]: outlastingOutages(pg, async (payload) => {
      await tasks.dispatch((payload as { channel: string }).channel);
    }),
    ...(tasks.prune && { [PRUNE_TASK]: outlastingOutages(pg, () => tasks.prune!()) }),
  };
}

/**
 * A task that failed because the database went away waits for it to answer again (for a
 * while) before it throws. graphile-worker 0.17 records a job's failure without awaiting it
 * and retries that write only on a few codes (not a refused connection): thrown at once,
 * the failure could not be recorded either, an unhandled rejection, and the job would stay
 * locked by this instance for graphile-worker's 4 hours instead of being retried.
 */
function outlastingOutages(pg: Pg, task: Task): Task {
  return async (payload, helpers) => {
    try {
      return await task(payload, helpers);
    } catch (err) {
      if (isUnavailable(err)) await untilAvailable(pg, { signal: helpers.abortSignal });
      throw err;
    }
  };
}
