/**
 * Dispatch throughput with several service processes on one PostgreSQL database (issue
 * 12): one broadcast, created through one instance's admin API, then drained by whichever
 * instances claim its batches, with 1 and with 3 instances. Baseline in the same run: one
 * process on SQLite doing the same. Two channels: WeChat, `mass/send` over HTTP to ONE
 * simulated platform process shared by the instances (which also delivers the jobs to
 * its timelines meanwhile, on the same cores), and the `api` inbox, the dispatcher's own
 * cost with no platform behind it.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/database.ts';
import { openBenchSchema, skipWithoutDatabase } from './lib/bench-schema.ts';
import { startServiceProcess, type ServiceProcess } from './lib/service-process.ts';
import { BENCH_WECHAT, freePort, startSimulatorProcess } from './lib/simulator-process.ts';
import type { BenchRow } from './lib/table.ts';

type Channel = 'api' | 'wechat';

/** Recipients per channel; WeChat's come at 10,000 a `mass/send`. */
const RECIPIENTS: Record<Channel, number> = {
  api: Number(process.env.BENCH_DISPATCH_RECIPIENTS ?? 200_000),
  wechat: Number(process.env.BENCH_DISPATCH_WECHAT_RECIPIENTS ?? 100_000),
};
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const POLL_MS = 50;
const TIMEOUT_MS = 120_000;

/** What every instance runs with, besides its database. */
function instanceEnv(dir: string): Record<string, string> {
  return {
    DATA_DIR: join(dir, 'data'),
    MESSAGES_DIR: join(dir, 'messages'),
    NODE_ENV: 'production',
    ADMIN_TOKEN,
    BROADCAST_TZ: 'UTC',
    // No scheduled broadcast during the run: only the one measured.
    BROADCAST_CRON: '0 9 1 1 *',
    DISPATCH_RATE_PER_SECOND: '0',
    SIMULATOR: 'off',
  };
}

/** Creates a broadcast on `first`, then times until every delivery is sent; deliveries/s. */
async function timeBroadcast(first: ServiceProcess, recipients: number): Promise<number> {
  const call = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${first.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  type Reported = { id: number; status: string; counts: { total: number; sent: number } };
  const { broadcast } = await call<{ broadcast: Reported }>('POST', '/admin/api/broadcasts');
  if (broadcast.counts.total !== recipients)
    throw new Error(`the broadcast has ${broadcast.counts.total} of ${recipients} recipients`);
  // The outbox is written when the POST answers: from here on it is dispatch alone.
  const started = performance.now();
  for (;;) {
    const { broadcast: now } = await call<{ broadcast: Reported }>(
      'GET',
      `/admin/api/broadcasts/${broadcast.id}`,
    );
    if (now.status === 'done') {
      if (now.counts.sent !== recipients) throw new Error(`sent ${now.counts.sent}`);
      return recipients / ((performance.now() - started) / 1000);
    }
    if (performance.now() - started > TIMEOUT_MS)
      throw new Error(`${now.counts.sent} of ${recipients} sent after ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The channel's audience and what the instances need to reach it: `api` users are made up;
 * WeChat followers are made on one simulated platform process, which every instance
 * calls as its WECHAT_API_BASE, 10,000 OpenIDs a `mass/send`.
 */
async function audience(
  channel: Channel,
  dir: string,
): Promise<{ ids: string[]; env: Record<string, string>; stop(): Promise<void> }> {
  if (channel === 'api') {
    const ids = Array.from({ length: RECIPIENTS.api }, (_, i) => `o${String(i).padStart(27, '0')}`);
    return { ids, env: { DISPATCH_BATCH_SIZE: '1000' }, stop: async () => undefined };
  }
  const port = await freePort();
  const sim = await startSimulatorProcess(join(dir, 'sim'), `http://127.0.0.1:${port}/wechat`);
  try {
    const ids = await sim.followers(RECIPIENTS.wechat);
    const env = {
      PORT: String(port),
      ACCOUNT_TYPE: 'service',
      WECHAT_APPID: BENCH_WECHAT.appId,
      WECHAT_APPSECRET: BENCH_WECHAT.appSecret,
      WECHAT_TOKEN: BENCH_WECHAT.token,
      WECHAT_API_BASE: sim.url,
      DISPATCH_BATCH_SIZE: '10000',
    };
    return { ids, env, stop: () => sim.stop() };
  } catch (error) {
    await sim.stop();
    throw error;
  }
}

/** `instances` processes on a fresh schema (or one process on a fresh SQLite file). */
async function measure(
  kind: 'sqlite' | 'postgres',
  instances: number,
  channel: Channel,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-'));
  cpSync(join(import.meta.dirname, '../messages'), join(dir, 'messages'), { recursive: true });
  const bench = kind === 'postgres' ? await openBenchSchema() : undefined;
  const started: ServiceProcess[] = [];
  const audienceOf = await audience(channel, dir);
  try {
    const { ids } = audienceOf;
    const env = { ...instanceEnv(dir), ...audienceOf.env };
    if (bench) {
      await bench.pg.query(
        `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
         SELECT $1, id, 'active', '[]', 0, 0 FROM unnest($2::text[]) AS id`,
        [channel, ids],
      );
      await bench.pg.query('ANALYZE subscribers');
      Object.assign(env, { DATABASE_URL: bench.url, DATABASE_POOL_SIZE: '6' });
    } else seedSqlite(join(dir, 'data'), channel, ids);
    // The first instance listens on the port the platform calls back (reserved above).
    started.push(await startServiceProcess(env));
    const { PORT: _, ...others } = env;
    const rest = await Promise.all(
      Array.from({ length: instances - 1 }, () => startServiceProcess(others)),
    );
    started.push(...rest);
    return await timeBroadcast(started[0]!, ids.length);
  } finally {
    await Promise.all(started.map((instance) => instance.stop()));
    await audienceOf.stop();
    await bench?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function seedSqlite(dataDir: string, channel: Channel, ids: string[]): void {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'oasim.db'));
  const insert = db.prepare(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at) VALUES (?, ?, 'active', '[]', 0, 0)`,
  );
  db.transaction(() => {
    for (const id of ids) insert.run(channel, id);
  })();
  db.close();
}

export async function dispatchInstancesBench(): Promise<BenchRow[]> {
  if (skipWithoutDatabase('dispatch-instances')) return [];
  const channels = (process.env.BENCH_DISPATCH_CHANNELS ?? 'wechat,api').split(',') as Channel[];
  const rows: BenchRow[] = [];
  for (const channel of channels) {
    const sqlite = await measure('sqlite', 1, channel);
    const one = await measure('postgres', 1, channel);
    const three = await measure('postgres', 3, channel);
    const label = `${RECIPIENTS[channel].toLocaleString('en')} recipients, ${CHANNEL_LABEL[channel]}`;
    const baseline = { name: 'one process on SQLite', value: sqlite };
    for (const [instances, value] of [
      [1, one],
      [3, three],
    ] as const)
      rows.push({
        name: `PostgreSQL: dispatch, ${instances} instance${instances > 1 ? 's' : ''}, ${label}`,
        metric: 'throughput',
        value,
        unit: 'deliveries/s',
        baseline,
      });
  }
  return rows;
}

const CHANNEL_LABEL: Record<Channel, string> = {
  wechat: 'WeChat mass/send to one simulated platform process',
  api: 'api inbox channel (no platform)',
};
