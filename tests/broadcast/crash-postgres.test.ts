import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testSubscribers } from '../helpers/broadcast-subscribers.ts';
import { waitFor } from '../helpers/child-service.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { postgresStorage } from '../../src/store/storage.ts';

const ROOT = join(import.meta.dirname, '../..');
const SUBSCRIBERS = 20_000;
/** Slow enough to be killed partway: 20,000 deliveries take about five seconds. */
const RATE = 4000;
const KILL_AFTER_SENT = 3000;
/** Subscribers follow everything or some topics: each list gets its own entry set. */
const TOPIC_LISTS = ['[]', '["guides"]', '["Guides","events"]'];

interface Child {
  child: ChildProcess;
  exited: Promise<void>;
  broadcast: number | null;
}

const children: Child[] = [];
let db: TestPostgres | undefined;
afterEach(async () => {
  for (const { child, exited } of children.splice(0)) {
    child.kill('SIGKILL');
    await exited;
  }
  await db?.close();
  db = undefined;
});

/** The broadcast part in a process of its own on the test schema (tests/helpers/broadcast-child.ts). */
function startChild(schema: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/broadcast-child.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TEST_DATABASE_URL: postgresUrl,
      OASIM_TEST_SCHEMA: schema,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child did not start: ${stderr.join('')}`)),
      20_000,
    );
    child.once('exit', (code) =>
      reject(new Error(`child exited with ${code}: ${stderr.join('')}`)),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = JSON.parse(line) as { ready?: boolean; broadcast: number | null };
      if (!ready.ready) return;
      clearTimeout(timer);
      const started = { child, exited, broadcast: ready.broadcast };
      children.push(started);
      resolve(started);
    });
  });
}

/** A fresh schema holding `count` active subscribers on the api channel. */
async function seed(count: number): Promise<TestPostgres> {
  db = await openTestPostgres();
  await testSubscribers(postgresStorage(db));
  await db.query(
    `INSERT INTO subscribers (channel, user_id, state, created_at, updated_at)
     SELECT 'api', 'user-' || lpad(i::text, 5, '0'), 'active', 0, 0
     FROM generate_series(0, $1 - 1) AS i`,
    [count],
  );
  // The topics as a parameter of the column's own type (TEXT or JSONB alike).
  for (const [i, topics] of TOPIC_LISTS.entries()) {
    await db.query(
      `UPDATE subscribers SET topics = $1 WHERE substring(user_id from 6)::int % $2 = $3`,
      [topics, TOPIC_LISTS.length, i],
    );
  }
  return db;
}

const one = async <T>(sql: string, params: unknown[] = []) =>
  (await db!.query(sql, params))[0] as T;

describe.skipIf(!postgresUrl)(
  'durability on PostgreSQL (the broadcast part in child processes)',
  () => {
    it('after kill -9 partway through a broadcast, another process delivers to every subscriber exactly once', async () => {
      const { schema } = await seed(SUBSCRIBERS);
      // Counted, the audience is one for a partition of its own: its rows are claimed fresh
      // from cursors (src/postgres/fresh-queue.ts), in entry-set order.
      await db!.query('ANALYZE subscribers');
      const rate = { DISPATCH_RATE_PER_SECOND: String(RATE) };
      const first = await startChild(schema, { ...rate, CREATE: '1' });
      const id = first.broadcast!;
      expect(await one(`SELECT total FROM broadcasts WHERE id = $1`, [id])).toEqual({
        total: SUBSCRIBERS,
      });
      expect(await one(`SELECT to_regclass($1) IS NOT NULL AS own`, [`deliveries_b${id}`])).toEqual(
        { own: true },
      );
      const sent = async () =>
        (
          await one<{ n: number }>(
            `SELECT count(*) AS n FROM deliveries WHERE broadcast_id = $1 AND status = 'sent'`,
            [id],
          )
        ).n;
      await waitFor(
        async () => (await sent()) >= KILL_AFTER_SENT,
        'part of the broadcast to be sent',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      expect(await sent()).toBeLessThan(SUBSCRIBERS);

      await startChild(schema, rate);
      await waitFor(
        async () =>
          (await one<{ status: string }>('SELECT status FROM broadcasts WHERE id = $1', [id]))
            .status === 'done',
        'the second process to finish the broadcast',
      );
      expect(
        await one(
          `SELECT count(*) AS rows, count(DISTINCT user_id) AS users,
           count(*) FILTER (WHERE status = 'sent') AS sent, count(DISTINCT entry_set) AS sets
         FROM deliveries WHERE broadcast_id = $1`,
          [id],
        ),
      ).toEqual({
        rows: SUBSCRIBERS,
        users: SUBSCRIBERS,
        sent: SUBSCRIBERS,
        sets: TOPIC_LISTS.length,
      });
      expect(
        await one(
          `SELECT count(*) AS rows, count(DISTINCT user_id) AS users FROM inbox WHERE source = $1`,
          [`broadcast:${id}`],
        ),
      ).toEqual({ rows: SUBSCRIBERS, users: SUBSCRIBERS });
      expect(await one('SELECT sent, failed FROM broadcasts WHERE id = $1', [id])).toEqual({
        sent: SUBSCRIBERS,
        failed: 0,
      });
      expect(await one('SELECT count(*) AS open FROM delivery_cursors')).toEqual({ open: 0 });
    });

    it('three processes on one database firing the same schedule create one broadcast, each delivery dispatched once', async () => {
      const SCHEDULE = 'broadcast 0 * * * * UTC';
      const RECIPIENTS = 3000;
      const { schema } = await seed(RECIPIENTS);
      // All start three hours after the last tick: each finds the same missed tick to catch up.
      await db!.query('INSERT INTO schedules (name, last_tick_at, updated_at) VALUES ($1, $2, 0)', [
        SCHEDULE,
        Date.now() - 3 * 3_600_000,
      ]);
      const env = { BROADCAST_CRON: '0 * * * *', DISPATCH_RATE_PER_SECOND: '0' };
      await Promise.all([
        startChild(schema, env),
        startChild(schema, env),
        startChild(schema, env),
      ]);

      await waitFor(
        async () =>
          (await one<{ n: number }>(`SELECT count(*) AS n FROM broadcasts WHERE status = 'done'`))
            .n > 0,
        'the scheduled broadcast to finish',
      );
      const broadcasts = await db!.query(`SELECT kind, schedule FROM broadcasts`);
      expect(broadcasts).toEqual([{ kind: 'scheduled', schedule: SCHEDULE }]);
      // One attempt each: no delivery was claimed by two processes.
      expect(
        await one('SELECT count(*) AS rows, sum(attempts) AS attempts FROM deliveries'),
      ).toEqual({ rows: RECIPIENTS, attempts: RECIPIENTS });
      expect(
        await one('SELECT count(DISTINCT user_id) AS users, count(*) AS rows FROM inbox'),
      ).toEqual({ users: RECIPIENTS, rows: RECIPIENTS });
    });
  },
);
