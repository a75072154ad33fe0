/**
 * Dispatch throughput with several service processes on one PostgreSQL database (issue
 * 12): one broadcast to many `api` subscribers, created through one instance's admin API,
 * then drained into the inbox by whichever instances claim its batches, with 1 and with 3
 * instances. Baseline in the same run: one process on SQLite doing the same. The WeChat
 * channel (mass/send to the simulated platform over HTTP) is not measured here: the `api`
 * inbox is the dispatcher's own cost, with no platform behind it.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/database.ts';
import { openBenchSchema, seedSubscribers, skipWithoutDatabase } from './lib/bench-schema.ts';
import { startServiceProcess, type ServiceProcess } from './lib/service-process.ts';
import type { BenchRow } from './lib/table.ts';

const RECIPIENTS = Number(process.env.BENCH_DISPATCH_RECIPIENTS ?? 200_000);
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const POLL_MS = 50;
const TIMEOUT_MS = 300_000;

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
    DISPATCH_BATCH_SIZE: '1000',
    SIMULATOR: 'off',
  };
}

/** Creates a broadcast on `first`, then times until every delivery is sent; deliveries/s. */
async function timeBroadcast(first: ServiceProcess): Promise<number> {
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
  if (broadcast.counts.total !== RECIPIENTS)
    throw new Error(`the broadcast has ${broadcast.counts.total} of ${RECIPIENTS} recipients`);
  // The outbox is written when the POST answers: from here on it is dispatch alone.
  const started = performance.now();
  for (;;) {
    const { broadcast: now } = await call<{ broadcast: Reported }>(
      'GET',
      `/admin/api/broadcasts/${broadcast.id}`,
    );
    if (now.status === 'done') {
      if (now.counts.sent !== RECIPIENTS) throw new Error(`sent ${now.counts.sent}`);
      return RECIPIENTS / ((performance.now() - started) / 1000);
    }
    if (performance.now() - started > TIMEOUT_MS)
      throw new Error(`${now.counts.sent} of ${RECIPIENTS} sent after ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `instances` processes on a fresh schema (or one process on a fresh SQLite file). */
async function measure(kind: 'sqlite' | 'postgres', instances: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-'));
  cpSync(join(import.meta.dirname, '../messages'), join(dir, 'messages'), { recursive: true });
  const bench = kind === 'postgres' ? await openBenchSchema() : undefined;
  const started: ServiceProcess[] = [];
  try {
    const env = instanceEnv(dir);
    if (bench) {
      await seedSubscribers(bench.pg, 'api', RECIPIENTS);
      Object.assign(env, { DATABASE_URL: bench.url, DATABASE_POOL_SIZE: '6' });
    } else seedSqlite(join(dir, 'data'));
    const all = await Promise.all(
      Array.from({ length: instances }, () => startServiceProcess(env)),
    );
    started.push(...all);
    return await timeBroadcast(all[0]!);
  } finally {
    await Promise.all(started.map((instance) => instance.stop()));
    await bench?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function seedSqlite(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'oasim.db'));
  const insert = db.prepare(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at) VALUES ('api', ?, 'active', '[]', 0, 0)`,
  );
  db.transaction(() => {
    for (let i = 0; i < RECIPIENTS; i++) insert.run(`o${String(i).padStart(27, '0')}`);
  })();
  db.close();
}

export async function dispatchInstancesBench(): Promise<BenchRow[]> {
  if (skipWithoutDatabase('dispatch-instances')) return [];
  const sqlite = await measure('sqlite', 1);
  const one = await measure('postgres', 1);
  const three = await measure('postgres', 3);
  const label = `${RECIPIENTS.toLocaleString('en')} recipients, api inbox channel (not WeChat)`;
  const baseline = { name: 'one process on SQLite', value: sqlite };
  return [
    {
      name: `PostgreSQL: dispatch, 1 instance, ${label}`,
      metric: 'throughput',
      value: one,
      unit: 'deliveries/s',
      baseline,
    },
    {
      name: `PostgreSQL: dispatch, 3 instances, ${label}`,
      metric: 'throughput',
      value: three,
      unit: 'deliveries/s',
      baseline,
    },
  ];
}
