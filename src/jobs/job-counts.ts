import type { Pg } from '../postgres/database.ts';

/** The jobs graphile-worker holds, by state: what an operator asks of the engine. */
export interface JobCounts {
  /** Waiting for a worker, due now or later (retries wait here with their backoff). */
  waiting: number;
  running: number;
  /** Failed at least once and will be tried again. */
  retrying: number;
  /** Used every attempt: left for an operator (graphile-worker never deletes them). */
  failed: number;
}

export async function jobCounts(pg: Pg, workerSchema: string): Promise<JobCounts> {
  const [row] = await pg.query<{ [K in keyof JobCounts]: number }>(
    `SELECT
       count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts)::int AS waiting,
       count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
       count(*) FILTER (WHERE attempts > 0 AND attempts < max_attempts AND locked_at IS NULL)::int
         AS retrying,
       count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed
     FROM ${workerSchema}.jobs`,
  );
  return row!;
}
