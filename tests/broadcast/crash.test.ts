import { Database } from '../../src/sqlite/driver.ts';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { createLogger } from '../../src/log/logger.ts';
import { sqliteArchiveIndex } from '../../src/search/sqlite-archive-index.ts';
import { createSqliteGate } from '../../src/store/sqlite-gate.ts';
import { openDatabase } from '../../src/store/database.ts';
import { spawnService, waitFor, type ChildService } from '../helpers/child-service.ts';
import { makeTempDir } from '../helpers/temp-service.ts';

const SUBSCRIBERS = 20_000;
const TOKEN = 'crash-test-admin-token-0123';
/** Slow enough to be killed partway: 20,000 deliveries take about five seconds. */
const RATE = 4000;
const KILL_AFTER_SENT = 3000;
/** Subscribers follow everything or some topics: each list gets its own entry set. */
const TOPIC_LISTS = ['[]', '["guides"]', '["Guides","events"]'];

const children: ChildService[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const { child, exited } of children.splice(0)) {
    child.kill('SIGKILL');
    await exited;
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A folder with the sample messages and a database holding `count` active subscribers. */
async function seed(count: number, setup?: (db: Database) => void) {
  const { dir, messagesDir } = await makeTempDir();
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  const db = openDatabase(join(dataDir, 'oasim.db'));
  const insert = db.prepare(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at) VALUES ('api', ?, 'active', ?, 0, 0)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++)
      insert.run(`user-${String(i).padStart(5, '0')}`, TOPIC_LISTS[i % TOPIC_LISTS.length]);
  })();
  // Index the sample entries now: two processes starting at once would both write the
  // search index in a deferred transaction, and one of them would fail with SQLITE_BUSY
  // (a start-up race in the archive index, outside what these tests are about).
  const library = new ContentLibrary(
    join(messagesDir, 'entries'),
    'Asia/Shanghai',
    createLogger({ level: 'silent' }),
  );
  await library.load();
  await sqliteArchiveIndex(createSqliteGate(db)).syncAll(library.all());
  setup?.(db);
  db.close();
  const env = {
    DATA_DIR: dataDir,
    MESSAGES_DIR: messagesDir,
    NODE_ENV: 'production',
    ADMIN_TOKEN: TOKEN,
    DISPATCH_RATE_PER_SECOND: String(RATE),
    DISPATCH_BATCH_SIZE: '250',
    // A killed process's claims are taken over a second later.
    DISPATCH_LEASE_SECONDS: '1',
  };
  const reader = () => {
    const conn = new Database(join(dataDir, 'oasim.db'), { readonly: true });
    conn.pragma('busy_timeout = 5000');
    return conn;
  };
  return { env, reader };
}

async function start(env: Record<string, string>): Promise<ChildService> {
  const service = await spawnService(env);
  children.push(service);
  return service;
}

const one = <T>(db: Database, sql: string, ...params: unknown[]) =>
  db.prepare(sql).get(...params) as T;

describe('durability', () => {
  it('after kill -9 partway through a broadcast, a restart delivers to every subscriber exactly once', async () => {
    const { env, reader } = await seed(SUBSCRIBERS);
    const first = await start(env);
    const res = await fetch(`${first.url}/admin/api/broadcasts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(201);
    const { broadcast } = (await res.json()) as {
      broadcast: { id: number; counts: { total: number } };
    };
    expect(broadcast.counts.total).toBe(SUBSCRIBERS);

    const db = reader();
    const sent = () =>
      one<{ n: number }>(
        db,
        `SELECT count(*) AS n FROM deliveries WHERE broadcast_id = ? AND status = 'sent'`,
        broadcast.id,
      ).n;
    await waitFor(() => sent() >= KILL_AFTER_SENT, 'part of the broadcast to be sent');
    first.child.kill('SIGKILL');
    await first.exited;
    const sentAtKill = sent();
    expect(sentAtKill).toBeLessThan(SUBSCRIBERS);

    await start(env);
    await waitFor(
      () =>
        one<{ status: string }>(db, 'SELECT status FROM broadcasts WHERE id = ?', broadcast.id)
          .status === 'done',
      'the restarted service to finish the broadcast',
    );

    const deliveries = one<{ rows: number; users: number; sent: number }>(
      db,
      `SELECT count(*) AS rows, count(DISTINCT user_id) AS users, sum(status = 'sent') AS sent
       FROM deliveries WHERE broadcast_id = ?`,
      broadcast.id,
    );
    expect(deliveries).toEqual({ rows: SUBSCRIBERS, users: SUBSCRIBERS, sent: SUBSCRIBERS });
    const sets = one<{ n: number }>(
      db,
      'SELECT count(DISTINCT entry_set) AS n FROM deliveries WHERE broadcast_id = ?',
      broadcast.id,
    );
    expect(sets.n).toBe(TOPIC_LISTS.length);
    const inbox = one<{ rows: number; users: number }>(
      db,
      `SELECT count(*) AS rows, count(DISTINCT user_id) AS users FROM inbox WHERE source = ?`,
      `broadcast:${broadcast.id}`,
    );
    expect(inbox).toEqual({ rows: SUBSCRIBERS, users: SUBSCRIBERS });
    expect(one(db, 'SELECT sent, failed FROM broadcasts WHERE id = ?', broadcast.id)).toEqual({
      sent: SUBSCRIBERS,
      failed: 0,
    });
    db.close();
  });

  it('two service processes on one database firing the same schedule create one broadcast', async () => {
    const SCHEDULE = 'broadcast 0 * * * * UTC';
    const RECIPIENTS = 500;
    const { env, reader } = await seed(RECIPIENTS, (db) => {
      // Both start three hours after the last tick: each finds the same missed tick to catch up.
      db.prepare('INSERT INTO schedules (name, last_tick_at, updated_at) VALUES (?, ?, 0)').run(
        SCHEDULE,
        Date.now() - 3 * 3_600_000,
      );
    });
    const both = {
      ...env,
      BROADCAST_CRON: '0 * * * *',
      BROADCAST_TZ: 'UTC',
      DISPATCH_RATE_PER_SECOND: '0',
    };
    await Promise.all([start(both), start(both)]);

    const db = reader();
    await waitFor(
      () =>
        one<{ n: number }>(db, `SELECT count(*) AS n FROM broadcasts WHERE status = 'done'`).n > 0,
      'the scheduled broadcast to finish',
    );
    const broadcasts = db
      .prepare(`SELECT id, kind, schedule FROM broadcasts WHERE kind = 'scheduled'`)
      .all();
    expect(broadcasts).toEqual([{ id: 1, kind: 'scheduled', schedule: SCHEDULE }]);
    const deliveries = one<{ rows: number; attempts: number }>(
      db,
      'SELECT count(*) AS rows, sum(attempts) AS attempts FROM deliveries WHERE broadcast_id = 1',
    );
    // One attempt each: no delivery was dispatched by both processes.
    expect(deliveries).toEqual({ rows: RECIPIENTS, attempts: RECIPIENTS });
    expect(one(db, 'SELECT count(DISTINCT user_id) AS users, count(*) AS rows FROM inbox')).toEqual(
      {
        users: RECIPIENTS,
        rows: RECIPIENTS,
      },
    );
    db.close();
  });
});
