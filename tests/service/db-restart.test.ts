import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/postgres/availability.ts';
import { openPostgres, quoteIdent } from '../../src/postgres/database.ts';
import { spawnService, waitFor, type ChildService } from '../helpers/child-service.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { proxyPostgres, throughProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { makeTempDir } from '../helpers/temp-service.ts';

/**
 * The database restarted under load (issue 12): a service process reaches PostgreSQL through
 * a TCP proxy, and the test cuts every connection and refuses new ones for a few seconds,
 * as a restarting server does, while users chat and subscribe and a broadcast is under way.
 */
const TOKEN = 'db-restart-admin-token-0123';
/** Never accepted by the server (trust authentication) and never to be seen anywhere. */
const PASSWORD = 'pw-never-shown-7f3a';
const UNAVAILABLE = { error: 'the database is unavailable; try again shortly' };
const RECIPIENTS = 3_000;
const OUTAGE_MS = 3_000;
/** Users chatting at once, each waiting for its answer before the next message. */
const USERS = 8;

let service: ChildService | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  service?.child.kill('SIGKILL');
  await service?.exited;
  service = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Phase = 'before' | 'outage' | 'after';

/** What the load saw: every answer, and per user the turns answered 200 and those tried. */
interface Tally {
  answers: { phase: Phase; status: number; text: string }[];
  ok: Map<string, number>;
  tried: Map<string, number>;
  /** Users whose subscription was answered 200. */
  subscribed: Set<string>;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/**
 * `USERS` users, each in a loop: a `help`, then a subscription of a new user of its own (by
 * the text `subscribe` or by the follow event, in turn), until `stop` is called.
 */
function driveLoad(url: string, phase: () => Phase): { stop(): Promise<Tally> } {
  const tally: Tally = { answers: [], ok: new Map(), tried: new Map(), subscribed: new Set() };
  let running = true;
  const send = async (user: string, body: Record<string, string>) => {
    const at = phase();
    bump(tally.tried, user);
    const res = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, ...body }),
    });
    const text = await res.text();
    tally.answers.push({ phase: at === 'outage' ? at : phase(), status: res.status, text });
    if (res.status === 200) bump(tally.ok, user);
    return res.status;
  };
  const loop = async (worker: number) => {
    for (let n = 0; running; n++) {
      await send(`talker-${worker}`, { text: 'help' });
      const follower = `follower-${worker}-${n}`;
      const how: Record<string, string> =
        n % 2 === 0 ? { text: 'subscribe' } : { event: 'subscribe' };
      if ((await send(follower, how)) === 200) tally.subscribed.add(follower);
    }
  };
  const loops = Array.from({ length: USERS }, (_, worker) => loop(worker));
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function admin(url: string, path: string, method = 'GET'): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

const count = async (db: TestPostgres, sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: number }>(sql, params))[0]!.n);

/** A proxy to the test database's server, and the database's URL through it (with a password). */
async function proxyTo(db: TestPostgres): Promise<{ proxy: TcpProxy; url: URL }> {
  const proxy = await proxyPostgres(db.url);
  cleanups.push(() => proxy.close());
  const url = throughProxy(db.url, proxy);
  url.password = PASSWORD;
  return { proxy, url };
}

/** A schema of its own with `RECIPIENTS` active `api` subscribers, and a proxy to the server. */
async function setUp(): Promise<{
  db: TestPostgres;
  proxy: TcpProxy;
  env: Record<string, string>;
}> {
  const db = await openTestPostgres();
  cleanups.push(() => db.close());
  await db.query(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
     SELECT 'api', 'seeded-' || lpad(i::text, 5, '0'), 'active', '[]', 0, 0
     FROM generate_series(1, $1) AS i`,
    [RECIPIENTS],
  );
  const { proxy, url } = await proxyTo(db);
  const { dir, messagesDir } = await makeTempDir();
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  url.searchParams.set('options', `-c search_path=${db.schema}`);
  const env = {
    DATABASE_URL: url.toString(),
    DATABASE_POOL_SIZE: '6',
    DATA_DIR: join(dir, 'data'),
    MESSAGES_DIR: messagesDir,
    NODE_ENV: 'production',
    ACCOUNT_TYPE: 'service',
    ADMIN_TOKEN: TOKEN,
    DISPATCH_BATCH_SIZE: '100',
    DISPATCH_LEASE_SECONDS: '2',
    // About six seconds for the broadcast: it is under way when the database goes.
    DISPATCH_RATE_PER_SECOND: '500',
  };
  return { db, proxy, env };
}

describe.skipIf(!postgresUrl)('the database restarted under load', () => {
  it(
    'answers 503 in words while it is away, recovers within seconds, and loses no turn, subscription or delivery',
    { timeout: 120_000 },
    async () => {
      const { db, proxy, env } = await setUp();
      service = await spawnService(env);
      const { url } = service;
      expect((await health(url)).status).toBe(200);

      let phase: Phase = 'before';
      const load = driveLoad(url, () => phase);
      const created = await admin(url, '/broadcasts', 'POST');
      const broadcastId = (created.broadcast as { id: number }).id;
      const sent = () => count(db, `SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`);
      await waitFor(async () => (await sent()) >= 300, 'part of the broadcast to be sent');

      phase = 'outage';
      const outage = proxy.outage(OUTAGE_MS);
      await new Promise((done) => setTimeout(done, 500));
      const down = await health(url);
      expect(down.status).toBe(503);
      expect(down.body.database).toMatchObject({ kind: 'postgres', ok: false });
      await outage;
      phase = 'after';
      const back = Date.now();
      await waitFor(
        async () => (await health(url)).status === 200,
        'healthz to answer 200',
        10_000,
      );
      const recoveredInMs = Date.now() - back;

      // A few more rounds after it, every one answered.
      const resumed = Date.now();
      await new Promise((done) => setTimeout(done, 1_500));
      const tally = await load.stop();
      const lateAnswers = tally.answers.filter((a) => a.phase === 'after').slice(-2 * USERS);
      expect(lateAnswers.length).toBeGreaterThan(0);
      expect(lateAnswers.every((a) => a.status === 200)).toBe(true);
      expect(Date.now() - resumed).toBeLessThan(30_000);
      expect(recoveredInMs).toBeLessThan(10_000);

      expectOnlyOkOrUnavailable(tally);
      expect(tally.answers.some((a) => a.phase === 'outage' && a.status === 503)).toBe(true);
      await expectNothingLost(db, tally);
      await expectBroadcastDeliveredOnce(db, url, broadcastId);

      expect(service.child.exitCode).toBeNull();
      const log = service.stdout() + service.stderr();
      const lines = log.split('\n');
      const telling = (word: string) => lines.filter((line) => line.toLowerCase().includes(word));
      expect(telling(PASSWORD)).toEqual([]);
      expect(telling('unhandled rejection')).toEqual([]);
      expect(telling('uncaught')).toEqual([]);
      // Each request the outage failed is logged by the database's code and message, no stack.
      const failed = lines.filter((line) => line.includes('"request failed"'));
      expect(failed.length).toBeGreaterThan(0);
      for (const line of failed)
        expect((JSON.parse(line) as { err: { stack?: string } }).err.stack ?? '').toBe('');
    },
  );

  it('fails a transaction whose connection is cut as unavailable, without ending the process, and serves again', async () => {
    const db = await openTestPostgres();
    cleanups.push(() => db.close());
    const { proxy, url } = await proxyTo(db);
    const pg = await openPostgres({
      url: url.toString(),
      schema: db.schema,
      migrate: false,
      max: 2,
    });
    cleanups.push(() => pg.close());
    let inside = false;
    const cut = pg.transaction(async () => {
      inside = true;
      await pg.query('SELECT pg_sleep(5)');
    });
    await waitFor(() => inside, 'the transaction to begin');
    const outage = proxy.outage(500);
    // A checked-out connection's loss is an 'error' on the client: unheard, it would end the process.
    await expect(cut).rejects.toSatisfy(isUnavailable);
    await outage;
    expect(await pg.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

/** Every answer is a 200 or the 503 in words: no 500, no stack, nothing of the URL. */
function expectOnlyOkOrUnavailable(tally: Tally): void {
  const other = tally.answers.filter(
    (a) => a.status !== 200 && !(a.status === 503 && a.text === JSON.stringify(UNAVAILABLE)),
  );
  expect(other).toEqual([]);
  for (const { text } of tally.answers) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('postgres://');
  }
}

/** Each turn answered 200 is in the log (one `in` row), each subscription answered 200 stands. */
async function expectNothingLost(db: TestPostgres, tally: Tally): Promise<void> {
  const rows = await db.query<{ user_id: string; n: number }>(
    `SELECT user_id, count(*)::int AS n FROM conversation_log WHERE direction = 'in' GROUP BY user_id`,
  );
  const logged = new Map(rows.map((row) => [row.user_id, row.n]));
  // A turn logged whose answer then failed may add one; none answered 200 may be missing.
  const missing = [...tally.ok].filter(([user, ok]) => (logged.get(user) ?? 0) < ok);
  const extra = [...logged].filter(([user, n]) => n > (tally.tried.get(user) ?? 0));
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  const active = await db.query<{ user_id: string }>(
    `SELECT user_id FROM subscribers WHERE channel = 'api' AND state = 'active' AND user_id = ANY($1)`,
    [[...tally.subscribed]],
  );
  expect(active.map((row) => row.user_id).sort()).toEqual([...tally.subscribed].sort());
}

/** The broadcast finishes after the outage, each recipient's delivery and inbox row once. */
async function expectBroadcastDeliveredOnce(
  db: TestPostgres,
  url: string,
  id: number,
): Promise<void> {
  await waitFor(
    async () =>
      ((await admin(url, `/broadcasts/${id}`)).broadcast as { status: string }).status === 'done',
    'the broadcast to finish',
    60_000,
  );
  const [deliveries] = await db.query<{ rows: number; users: number; sent: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT user_id)::int AS users,
       count(*) FILTER (WHERE status = 'sent')::int AS sent FROM deliveries WHERE broadcast_id = $1`,
    [id],
  );
  expect(deliveries!.rows).toBeGreaterThanOrEqual(RECIPIENTS);
  expect(deliveries).toEqual({
    rows: deliveries!.rows,
    users: deliveries!.rows,
    sent: deliveries!.rows,
  });
  const [inbox] = await db.query(
    `SELECT count(*)::int AS rows, count(DISTINCT user_id)::int AS users FROM inbox
     WHERE broadcast_id = $1`,
    [id],
  );
  expect(inbox).toEqual({ rows: deliveries!.rows, users: deliveries!.rows });
  const seeded = await count(
    db,
    `SELECT count(*) AS n FROM deliveries WHERE broadcast_id = $1 AND user_id LIKE 'seeded-%'`,
    [id],
  );
  expect(seeded).toBe(RECIPIENTS);
  const [counters] = await db.query(`SELECT sent, failed FROM broadcasts WHERE id = $1`, [id]);
  expect(counters).toEqual({ sent: deliveries!.rows, failed: 0 });
  // Its dispatch jobs are done or waiting, none left locked by a run the outage cut short.
  // A job whose outcome graphile-worker could not record stays locked until the heartbeat
  // sees it older than its stale time (30 s) with no worker running it.
  const locked = `SELECT count(*) AS n FROM ${quoteIdent(`${db.schema}_jobs`)}.jobs WHERE locked_by IS NOT NULL`;
  await waitFor(async () => (await count(db, locked)) === 0, 'no job to be left locked', 45_000);
}
