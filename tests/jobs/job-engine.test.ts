import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import {
  DISPATCH_TASK,
  JobEngineError,
  startJobEngine,
  type JobEngine,
} from '../../src/jobs/job-engine.ts';
import { quoteIdent } from '../../src/postgres/database.ts';
import { CronError } from '../../src/time/cron-times.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { JOB_RUNS_TABLE, jobRunTasks, jobRuns, waitFor } from './fixtures/job-run-tasks.ts';

const log = createLogger({ level: 'silent' });
/** graphile-worker's first retry waits e^1 s. */
const FIRST_BACKOFF_MS = 2_500;

describe.skipIf(!postgresUrl)('job engine on PostgreSQL', () => {
  let db: TestPostgres;
  let workerSchema: string;
  const engines: JobEngine[] = [];

  async function start(name: string): Promise<JobEngine> {
    const engine = await startJobEngine({
      pg: db,
      schema: workerSchema,
      log,
      tasks: jobRunTasks(db, name),
      pollIntervalMs: 300,
      heartbeat: { intervalMs: 500, staleAfterMs: 5_000 },
    });
    engines.push(engine);
    return engine;
  }

  async function jobsWithKey(key: string) {
    return db.query<{ attempts: number; last_error: string | null; locked_at: Date | null }>(
      `SELECT attempts, last_error, locked_at FROM ${quoteIdent(workerSchema)}.jobs WHERE key = $1`,
      [key],
    );
  }

  beforeEach(async () => {
    db = await openTestPostgres({ max: 12 });
    workerSchema = `${db.schema}_gw`;
    await db.query(JOB_RUNS_TABLE);
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.stop()));
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(workerSchema)} CASCADE`);
    await db.close();
  });

  it('runs a woken dispatch, retries it with backoff while it fails, and wakes collapse into one job', async () => {
    const [a, b] = [await start('a'), await start('b')];
    await a.wake('fail-2');
    await waitFor(
      async () => ((await jobRuns(db, 'dispatch')).length ? true : undefined),
      10_000,
      'first run',
    );
    // The first run failed: the job waits out its backoff, unlocked, with one attempt spent.
    const [waiting] = await waitFor(
      async () => {
        const jobs = await jobsWithKey('dispatch:fail-2');
        // Taking a job counts its attempt: the failure is recorded once it is unlocked again.
        return jobs[0]?.attempts === 1 && !jobs[0].locked_at ? jobs : undefined;
      },
      5_000,
      'the failed attempt',
    );
    expect(waiting!.last_error).toMatch(/fails \(1\)/);
    // Nobody wakes it: the second run comes after the backoff.
    const [first, second] = await waitFor(
      async () => {
        const all = await jobRuns(db, 'dispatch', 'fail-2');
        return all.length >= 2 ? all : undefined;
      },
      15_000,
      'the second run',
    );
    expect(second!.at.getTime() - first!.at.getTime()).toBeGreaterThanOrEqual(FIRST_BACKOFF_MS);
    // It failed again and waits a longer backoff; six wakes from two instances meanwhile
    // make it due at once, as one job.
    await waitFor(
      async () => {
        const jobs = await jobsWithKey('dispatch:fail-2');
        return jobs[0]?.attempts === 2 && !jobs[0].locked_at ? jobs : undefined;
      },
      5_000,
      'the second failed attempt',
    );
    await Promise.all([a, b, a, b, a, b].map((engine) => engine.wake('fail-2')));
    expect((await jobsWithKey('dispatch:fail-2')).length).toBeLessThanOrEqual(1);
    await waitFor(
      async () => ((await jobRuns(db, 'dispatch', 'fail-2')).length >= 3 ? true : undefined),
      5_000,
      'the third run, woken before its backoff ran out',
    );
    await waitFor(
      async () => ((await jobsWithKey('dispatch:fail-2')).length ? undefined : true),
      5_000,
      'the job done',
    );
    // Failed twice, then succeeded, and nothing is left waiting. While the job waited, the
    // six wakes were one job (above); a wake landing while a run is under way queues one
    // more (for what arrived meanwhile), so how many runs followed depends on timing.
    await new Promise((done) => setTimeout(done, 1_000));
    expect((await jobRuns(db, 'dispatch', 'fail-2')).length).toBeGreaterThanOrEqual(3);
    expect(await jobsWithKey('dispatch:fail-2')).toEqual([]);
  }, 40_000);

  it('frees a job locked by a worker that never beat (killed before its first beat)', async () => {
    const ws = quoteIdent(workerSchema);
    await start('a');
    await db.query(
      `SELECT ${ws}.add_job($1, json_build_object('channel', 'ghost'), run_at := now() + interval '1 hour')`,
      [DISPATCH_TASK],
    );
    await db.query(
      `UPDATE ${ws}._private_jobs SET locked_by = 'pool-ghost', locked_at = now() - interval '1 minute', run_at = now()`,
    );
    const [run] = await waitFor(
      async () => {
        const runs = await jobRuns(db, 'dispatch', 'ghost');
        return runs.length ? runs : undefined;
      },
      5_000,
      'the ghost job run',
    );
    expect(run!.runner).toBe('a');
  });

  it('unlocks a job its own living instance left locked (its outcome lost with the database) and runs it again', async () => {
    const ws = quoteIdent(workerSchema);
    const a = await start('a');
    const own = await waitFor(
      async () => (await a.health()).workers.find((worker) => worker.own)?.workerId,
      5_000,
      'the pool to beat',
    );
    await db.query(
      `SELECT ${ws}.add_job($1, json_build_object('channel', 'unrecorded'), run_at := now() + interval '1 hour')`,
      [DISPATCH_TASK],
    );
    // As graphile-worker leaves a job whose completion failed: locked by the pool that ran it.
    await db.query(
      `UPDATE ${ws}._private_jobs SET locked_by = $1, locked_at = now() - interval '1 minute', run_at = now()`,
      [own],
    );
    const [run] = await waitFor(
      async () => {
        const runs = await jobRuns(db, 'dispatch', 'unrecorded');
        return runs.length ? runs : undefined;
      },
      5_000,
      'the unrecorded job run again',
    );
    expect(run!.runner).toBe('a');
    await waitFor(
      async () => ((await db.query(`SELECT 1 FROM ${ws}.jobs`)).length ? undefined : true),
      5_000,
      'the job done',
    );
  });

  it('reports itself healthy with the workers of every instance', async () => {
    const a = await start('a');
    await start('b');
    const health = await waitFor(
      async () => {
        const h = await a.health();
        return h.workers.length === 2 ? h : undefined;
      },
      5_000,
      'both instances beating',
    );
    expect(health.ok).toBe(true);
    expect(health.workers.filter((w) => w.own)).toHaveLength(1);
    expect(health.workers.every((w) => !w.stale)).toBe(true);
    expect(health.jobs).toEqual({ waiting: 0, running: 0, retrying: 0, failed: 0 });
    await a.stop();
    expect((await a.health()).ok).toBe(false);
  });

  it.each([
    ['no server listens', 'postgres://postgres:s3cret-pw@127.0.0.1:1/oasim', /ECONNREFUSED/],
    [
      'the database does not exist',
      'postgres://postgres:s3cret-pw@127.0.0.1:5432/no_such_db',
      /"no_such_db" does not exist/,
    ],
  ])('refuses to start when %s, naming the problem and not the password', async (_, url, words) => {
    const failure = startJobEngine({ pg: url, log, tasks: jobRunTasks(db, 'x') });
    await expect(failure).rejects.toThrow(JobEngineError);
    await expect(failure).rejects.toThrow(words);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });
});

describe('job engine configuration', () => {
  it('refuses a bad cron expression before it touches the database', async () => {
    const failure = startJobEngine({
      pg: 'postgres://nobody@127.0.0.1:1/none',
      log,
      schedules: [{ id: 'bad', cron: '61 * * * *', timeZone: 'UTC' }],
      tasks: { tick: async () => {}, dispatch: async () => {} },
    });
    await expect(failure).rejects.toThrow(CronError);
  });
});
