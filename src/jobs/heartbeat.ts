import type { Logger } from '../log/logger.ts';
import { describe, type Pg } from '../postgres/database.ts';

export interface HeartbeatOptions {
  /** How often this instance records that its workers live. */
  intervalMs?: number;
  /** A worker silent this long is taken for dead and its jobs unlocked. */
  staleAfterMs?: number;
}

export interface WorkerBeat {
  workerId: string;
  beatAt: Date;
  /** One of this instance's workers. */
  own: boolean;
  stale: boolean;
}

/**
 * A "worker" here is what graphile-worker writes in a job's `locked_by` and unlocks with
 * `force_unlock_workers`: in 0.17, one per instance's worker pool.
 */
export interface Heartbeat {
  add(workerId: string): void;
  /** Every worker known to the database, with its last beat. */
  workers(): Promise<WorkerBeat[]>;
  stop(): Promise<void>;
}

/**
 * Beats for this instance's graphile-worker pool, and unlocks the jobs of workers that
 * stopped beating. graphile-worker itself frees a dead worker's job only after 4 hours (a
 * constant): a SIGKILLed instance's dispatch would wait that long. Every instance sweeps;
 * `DELETE ... RETURNING` hands each stale worker to one sweeper, and unlocking twice would
 * be harmless anyway.
 */
export function startHeartbeat({
  pg,
  workerSchema,
  log,
  unlock,
  runningJobs = () => [],
  intervalMs = 5_000,
  staleAfterMs = 30_000,
}: HeartbeatOptions & {
  pg: Pg;
  /** graphile-worker's schema, quoted: where its locked jobs are read. */
  workerSchema: string;
  log: Logger;
  unlock: (workerIds: string[]) => Promise<void>;
  /** The ids of the jobs this instance's workers are running now. */
  runningJobs?: () => Iterable<string>;
}): Heartbeat {
  const own = new Set<string>();
  let stopped = false;

  async function beat(): Promise<void> {
    if (own.size === 0) return;
    await pg.query(
      `INSERT INTO job_workers (worker_id, beat_at) SELECT id, now() FROM unnest($1::text[]) AS id
       ON CONFLICT (worker_id) DO UPDATE SET beat_at = now()`,
      [[...own]],
    );
  }

  async function sweep(): Promise<void> {
    const params = [staleAfterMs / 1000, [...own]];
    const stale = await pg.query<{ worker_id: string }>(
      `DELETE FROM job_workers WHERE beat_at < now() - make_interval(secs => $1)
       AND NOT (worker_id = ANY($2::text[])) RETURNING worker_id`,
      params,
    );
    // A worker killed before its first beat left no row: its job's lock is as old.
    const unknown = await pg.query<{ worker_id: string }>(
      `SELECT DISTINCT locked_by AS worker_id FROM ${workerSchema}.jobs j
       WHERE locked_by IS NOT NULL AND locked_at < now() - make_interval(secs => $1)
       AND NOT (locked_by = ANY($2::text[]))
       AND NOT EXISTS (SELECT 1 FROM job_workers w WHERE w.worker_id = j.locked_by)`,
      params,
    );
    const ids = [...new Set([...stale, ...unknown].map((row) => row.worker_id))];
    if (ids.length === 0) return;
    await unlock(ids);
    log.warn({ workers: ids }, 'job workers stopped beating: their jobs are unlocked for retry');
  }

  /**
   * graphile-worker 0.17 records a job's outcome without awaiting it: when the database is
   * lost at that moment, the job stays locked by this (living) instance, for 4 hours. A job
   * locked by this instance longer than the stale time that none of its workers runs is
   * such a job: unlocked, it runs again (the account's work is recorded once, so a second
   * run finds it done).
   */
  async function releaseUnrecorded(): Promise<void> {
    if (own.size === 0) return;
    const released = await pg.query<{ id: string }>(
      `UPDATE ${workerSchema}._private_jobs SET locked_at = NULL, locked_by = NULL
       WHERE locked_by = ANY($2::text[]) AND locked_at < now() - make_interval(secs => $1)
       AND NOT (id = ANY($3::bigint[])) RETURNING id`,
      [staleAfterMs / 1000, [...own], [...runningJobs()]],
    );
    if (released.length === 0) return;
    log.warn(
      { jobs: released.map((row) => row.id) },
      'jobs whose outcome was not recorded (the database was away) are unlocked to run again',
    );
  }

  async function round(): Promise<void> {
    try {
      await beat();
      await sweep();
      await releaseUnrecorded();
    } catch (err) {
      log.warn({ err: describe(err) }, 'job heartbeat failed; retrying');
    }
  }

  let running = Promise.resolve();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(round);
  }, intervalMs);
  timer.unref();

  return {
    add(workerId) {
      own.add(workerId);
      if (!stopped) running = running.then(round);
    },
    async workers() {
      const rows = await pg.query<{ worker_id: string; beat_at: Date; stale: boolean }>(
        `SELECT worker_id, beat_at, beat_at < now() - make_interval(secs => $1) AS stale
         FROM job_workers ORDER BY worker_id`,
        [staleAfterMs / 1000],
      );
      return rows.map((row) => ({
        workerId: row.worker_id,
        beatAt: row.beat_at,
        own: own.has(row.worker_id),
        stale: row.stale,
      }));
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      const ids = [...own];
      own.clear();
      if (ids.length)
        await pg
          .query('DELETE FROM job_workers WHERE worker_id = ANY($1::text[])', [ids])
          .catch(() => {});
    },
  };
}
