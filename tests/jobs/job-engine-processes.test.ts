import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { DISPATCH_TASK, startJobEngine } from '../../src/jobs/job-engine.ts';
import { quoteIdent } from '../../src/postgres/database.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { JOB_RUNS_TABLE, jobRunTasks, jobRuns, waitFor } from './fixtures/job-run-tasks.ts';
import { spawnRunner, type RunnerProcess } from './fixtures/spawn-runner.ts';

const log = createLogger({ level: 'silent' });
const MINUTE_MS = 60_000;
const EVERY_MINUTE = { id: 'every-minute', cron: '* * * * *', timeZone: 'Asia/Shanghai' };
/** How long all instances were down before the three start. */
const MISSED_MINUTES = 10;
const HEARTBEAT = { intervalMs: 500, staleAfterMs: 3_000 };
/** Beyond the stale time: a beat interval, a sweep, a poll of the other runner, a start. */
const UNLOCK_MARGIN_MS = 4_000;

describe.skipIf(!postgresUrl)('job engine across processes', () => {
  let db: TestPostgres;
  let workerSchema: string;
  const runners: RunnerProcess[] = [];

  const spawn = async (name: string, extra: Record<string, unknown> = {}) => {
    const runner = await spawnRunner({
      url: postgresUrl,
      schema: db.schema,
      workerSchema,
      name,
      heartbeat: HEARTBEAT,
      ...extra,
    });
    runners.push(runner);
    return runner;
  };

  const tickKey = (minute: number) => `${EVERY_MINUTE.id} ${new Date(minute).toISOString()}`;
  const ticksOf = async () => (await jobRuns(db, 'tick')).map((run) => run.key);

  /**
   * A first start makes the schedule known; then every instance is down for MISSED_MINUTES.
   * Returns the last tick that ran before.
   */
  async function missTicks(): Promise<Date> {
    const first = await startJobEngine({
      pg: db,
      schema: workerSchema,
      log,
      schedules: [EVERY_MINUTE],
      tasks: jobRunTasks(db, 'first'),
    });
    await first.stop();
    const [{ last }] = (await db.query<{ last: Date }>(
      `UPDATE ${quoteIdent(workerSchema)}._private_known_crontabs
       SET known_since = date_trunc('minute', now()) - interval '1 hour',
           last_execution = date_trunc('minute', now()) - make_interval(mins => $1)
       RETURNING last_execution AS last`,
      [MISSED_MINUTES],
    )) as [{ last: Date }];
    await db.query('DELETE FROM job_runs');
    return last;
  }

  beforeEach(async () => {
    db = await openTestPostgres({ max: 6 });
    workerSchema = `${db.schema}_gw`;
    await db.query(JOB_RUNS_TABLE);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(workerSchema)} CASCADE`);
    await db.close();
  });

  it('three instances catch up the ticks missed while all were down, each exactly once, then fire the next live', async () => {
    const last = await missTicks();
    const config = { schedules: [EVERY_MINUTE], catchUpHours: 1, catchUp: 'every' };
    await Promise.all(['a', 'b', 'c'].map((name) => spawn(name, config)));
    const missed = Array.from({ length: MISSED_MINUTES }, (_, i) =>
      tickKey(last.getTime() + (i + 1) * MINUTE_MS),
    );
    await waitFor(
      async () => ((await ticksOf()).length >= MISSED_MINUTES ? true : undefined),
      20_000,
      'the missed ticks',
    );
    await new Promise((done) => setTimeout(done, 1_500));
    const caughtUp = await ticksOf();
    // The minute may have turned while they started: the ticks since are live ones.
    expect(caughtUp).toEqual(expect.arrayContaining(missed));
    expect(new Set(caughtUp).size).toBe(caughtUp.length);

    // The next minute fires live, once across the three.
    const latest = Math.max(...caughtUp.map((key) => Date.parse(key.split(' ')[1]!)));
    const next = tickKey(latest + MINUTE_MS);
    await waitFor(
      async () => ((await ticksOf()).includes(next) ? true : undefined),
      MINUTE_MS + 5_000,
      'the live tick',
    );
    await new Promise((done) => setTimeout(done, 1_500));
    expect((await ticksOf()).filter((key) => key === next)).toHaveLength(1);
  }, 100_000);

  it('runs only the latest missed tick by default, as the SQLite scheduler does', async () => {
    const last = await missTicks();
    const engine = await startJobEngine({
      pg: db,
      schema: workerSchema,
      log,
      schedules: [EVERY_MINUTE],
      catchUpHours: 1,
      tasks: jobRunTasks(db, 'only'),
    });
    try {
      const [latest] = await waitFor(
        async () => {
          const ticks = await ticksOf();
          return ticks.length ? ticks : undefined;
        },
        10_000,
        'the latest missed tick',
      );
      await new Promise((done) => setTimeout(done, 1_500));
      // The latest missed minute, unless the minute turned meanwhile (then that live one).
      const expected = [last.getTime() + MISSED_MINUTES * MINUTE_MS, Date.now()].map((t) =>
        tickKey(Math.floor(t / MINUTE_MS) * MINUTE_MS),
      );
      expect(expected).toContain(latest);
      expect((await ticksOf()).length).toBeLessThanOrEqual(2);
    } finally {
      await engine.stop();
    }
  });

  it('runs again, on another instance, a dispatch whose instance was SIGKILLed mid-job', async () => {
    const a = await spawn('a');
    await db.query(
      `SELECT ${quoteIdent(workerSchema)}.add_job($1, json_build_object('channel', 'block-once'),
         job_key := 'dispatch:block-once', max_attempts := 5)`,
      [DISPATCH_TASK],
    );
    await waitFor(
      async () => ((await jobRuns(db, 'dispatch')).length ? true : undefined),
      10_000,
      'the first run',
    );
    await spawn('b');
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;

    const [, again] = await waitFor(
      async () => {
        const runs = await jobRuns(db, 'dispatch', 'block-once');
        return runs.length >= 2 ? runs : undefined;
      },
      HEARTBEAT.staleAfterMs + UNLOCK_MARGIN_MS + 10_000,
      'the run on b',
    );
    expect(again!.runner).toBe('b');
    expect(again!.at.getTime() - killedAt).toBeLessThan(HEARTBEAT.staleAfterMs + UNLOCK_MARGIN_MS);
    await waitFor(
      async () => {
        const [row] = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${quoteIdent(workerSchema)}.jobs`,
        );
        return row!.n === 0 ? true : undefined;
      },
      5_000,
      'the job done',
    );
  }, 60_000);
});
