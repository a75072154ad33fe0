/**
 * The job engine's own table (graphile-worker keeps its jobs in a schema of its own).
 * `job_workers`: each graphile-worker worker's last heartbeat, so that the jobs of an
 * instance that died without a word (SIGKILL, a lost machine) are unlocked within seconds
 * rather than graphile-worker's fixed 4 hours.
 */
export const JOBS_SCHEMA = `
CREATE TABLE job_workers (
  worker_id TEXT PRIMARY KEY,
  beat_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX job_workers_beat_at ON job_workers (beat_at);
`;
