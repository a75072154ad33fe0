import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnService, waitFor, type ChildService } from '../helpers/child-service.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/temp-service.ts';

/**
 * Several service processes on one PostgreSQL database, as the README shows them: one
 * account, schedules and fan-out on the shared job engine, each delivery exactly once by
 * record whatever instance sends it or dies.
 */
const TOKEN = 'scale-out-admin-token-0123';
const children: ChildService[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const { child, exited } of children.splice(0)) {
    child.kill('SIGKILL');
    await exited;
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A schema of its own on the test database, `count` active `api` subscribers, and the env of an instance. */
async function account(count: number): Promise<{ db: TestPostgres; env: Record<string, string> }> {
  const db = await openTestPostgres();
  cleanups.push(() => db.close());
  const { dir, messagesDir } = await makeTempDir();
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await db.query(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
     SELECT 'api', 'user-' || lpad(i::text, 5, '0'), 'active', '[]', 0, 0 FROM generate_series(1, $1) AS i`,
    [count],
  );
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${db.schema}`);
  const env = {
    DATABASE_URL: url.toString(),
    DATABASE_POOL_SIZE: '6',
    DATA_DIR: join(dir, 'data'),
    MESSAGES_DIR: messagesDir,
    NODE_ENV: 'production',
    ADMIN_TOKEN: TOKEN,
    BROADCAST_TZ: 'UTC',
    DISPATCH_BATCH_SIZE: '250',
    DISPATCH_LEASE_SECONDS: '1',
  };
  return { db, env };
}

async function start(env: Record<string, string>): Promise<ChildService> {
  const service = await spawnService(env);
  children.push(service);
  return service;
}

const count = async (db: TestPostgres, sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: number }>(sql, params))[0]!.n);

describe.skipIf(!postgresUrl)('several instances on one PostgreSQL database', () => {
  it(
    'fire one schedule once per tick, and deliver each recipient once though one instance is killed mid-broadcast',
    { timeout: 120_000 },
    async () => {
      const RECIPIENTS = 12_000;
      const { db, env } = await account(RECIPIENTS);
      const instance = {
        ...env,
        BROADCAST_CRON: '* * * * *',
        // Slow enough that the broadcast is under way on every instance when one dies.
        DISPATCH_RATE_PER_SECOND: '1500',
      };
      const instances = await Promise.all([start(instance), start(instance), start(instance)]);
      for (const { url } of instances) {
        const health = (await (await fetch(`${url}/healthz`)).json()) as {
          database: { kind: string; ok: boolean };
          jobs: { ok: boolean };
        };
        expect(health.database).toMatchObject({ kind: 'postgres', ok: true });
        expect(health.jobs.ok).toBe(true);
      }

      // The next minute's tick: one broadcast, whichever instance took the job.
      await waitFor(
        async () => (await count(db, `SELECT count(*) AS n FROM broadcasts`)) > 0,
        'the schedule to fire',
        75_000,
      );
      const sent = () => count(db, `SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`);
      await waitFor(async () => (await sent()) >= 2_000, 'part of the broadcast to be sent');
      const victim = instances[1]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      expect(await sent()).toBeLessThan(RECIPIENTS);

      await waitFor(
        async () =>
          (await count(db, `SELECT count(*) AS n FROM broadcasts WHERE status = 'done'`)) === 1,
        'the other instances to finish the broadcast',
        60_000,
      );
      const broadcasts = await db.query(
        `SELECT kind, schedule, tick_at IS NOT NULL AS ticked FROM broadcasts`,
      );
      expect(broadcasts).toEqual([
        { kind: 'scheduled', schedule: 'broadcast * * * * * UTC', ticked: true },
      ]);
      const [deliveries] = await db.query(
        `SELECT count(*)::int AS rows, count(DISTINCT user_id)::int AS users,
           count(*) FILTER (WHERE status = 'sent')::int AS sent FROM deliveries`,
      );
      expect(deliveries).toEqual({ rows: RECIPIENTS, users: RECIPIENTS, sent: RECIPIENTS });
      // Exactly once by record: one inbox item per recipient, whoever sent or re-sent it.
      const [inbox] = await db.query(
        `SELECT count(*)::int AS rows, count(DISTINCT user_id)::int AS users FROM inbox`,
      );
      expect(inbox).toEqual({ rows: RECIPIENTS, users: RECIPIENTS });
      const [counters] = await db.query(`SELECT sent, failed FROM broadcasts`);
      expect(counters).toEqual({ sent: RECIPIENTS, failed: 0 });
    },
  );
});
