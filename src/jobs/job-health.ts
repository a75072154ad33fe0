import { describe, type Pg } from '../postgres/database.ts';
import type { Heartbeat, WorkerBeat } from './heartbeat.ts';
import { jobCounts, type JobCounts } from './job-counts.ts';

/** What `/healthz` says of the job engine. */
export interface JobHealth {
  /** This instance runs its worker pool, whose beat is fresh, and the database answers. */
  ok: boolean;
  /** Every worker of every instance that beats, with its last beat. */
  workers: WorkerBeat[];
  jobs?: JobCounts;
  /** Why not ok, when the database did not answer (its words, never the URL). */
  error?: string;
}

export async function jobHealth(
  pg: Pg,
  workerSchema: string,
  heartbeat: Heartbeat,
  running: boolean,
): Promise<JobHealth> {
  try {
    const [workers, jobs] = await Promise.all([heartbeat.workers(), jobCounts(pg, workerSchema)]);
    // Its own beat must be there and fresh: another instance deletes a stale one.
    return { ok: running && workers.some((w) => w.own && !w.stale), workers, jobs };
  } catch (err) {
    return { ok: false, workers: [], error: describe(err).message };
  }
}
