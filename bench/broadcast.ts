/**
 * Broadcast benchmark: creating a broadcast for 1,000,000 subscribers (the outbox
 * transaction) against a bare `INSERT ... SELECT` of as many rows into an unindexed table
 * of the same database, then the dispatcher draining it into the simulated inbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroadcasting } from '../src/broadcast/broadcasting.ts';
import { createInboxSender } from '../src/broadcast/inbox-sender.ts';
import type { Entry } from '../src/content/entry.ts';
import { createLogger } from '../src/log/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { createSqliteGate } from '../src/store/sqlite-gate.ts';
import type { Storage } from '../src/store/storage.ts';
import type { BenchRow } from './lib/table.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
/** The one entry every broadcast benchmark sends. */
export const BENCH_ENTRY: Entry = {
  id: 'bench-entry',
  title: 'Benchmark entry',
  date: '2025-01-01',
  publishedAt: new Date('2025-01-01T00:00:00Z'),
  summary: 'An entry for the broadcast benchmark.',
  keywords: [],
  topics: [],
  body: '',
  hash: 'bench',
};

export async function broadcastBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-'));
  const db = openDatabase(join(dir, 'oasim.db'));
  try {
    const insert = db.prepare(
      `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at) VALUES ('api', ?, 'active', '[]', 0, 0)`,
    );
    db.transaction(() => {
      for (let i = 0; i < SUBSCRIBERS; i++) insert.run(`o${String(i).padStart(27, '0')}`);
    })();

    // Baseline: the same rows, set-based, into a table with no index and no constraint.
    db.exec(`CREATE TABLE bare_deliveries (id INTEGER PRIMARY KEY, broadcast_id INTEGER, channel TEXT,
      user_id TEXT, status TEXT, due_at INTEGER)`);
    const started = performance.now();
    db.exec(`INSERT INTO bare_deliveries (broadcast_id, channel, user_id, status, due_at)
      SELECT 1, channel, user_id, 'pending', 0 FROM subscribers WHERE state = 'active'`);
    const bareMs = performance.now() - started;
    db.exec('DROP TABLE bare_deliveries');

    const storage: Storage = {
      kind: 'sqlite',
      gate: createSqliteGate(db),
      file: join(dir, 'oasim.db'),
      close: async () => void db.close(),
    };
    const { outboxMs, drainS } = await outboxThenDrain(storage, SUBSCRIBERS);
    const peakMb = process.resourceUsage().maxRSS / 1024;

    const label = `${SUBSCRIBERS.toLocaleString('en')} subscribers`;
    return [
      {
        name: `broadcast outbox transaction, ${label}`,
        metric: 'time',
        value: outboxMs,
        unit: 'ms',
        baseline: { name: 'bare INSERT ... SELECT, no index', value: bareMs },
        target: '<= 2x',
      },
      {
        name: 'dispatcher to the simulated inbox',
        metric: 'throughput',
        value: SUBSCRIBERS / drainS,
        unit: 'deliveries/s',
        target: '>= 50000/s',
      },
      {
        name: 'broadcast bench process',
        metric: 'peak RSS',
        value: peakMb,
        unit: 'MB',
        target: '< 512 MB',
      },
    ];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The broadcast part over `storage`, sending `entries` to the `api` inbox, unthrottled. */
export function benchBroadcasting(storage: Storage, entries: Entry[], now?: () => Date) {
  const broadcasting = createBroadcasting({
    storage,
    ...(now && { now }),
    library: {
      all: () => entries,
      get: (id) => entries.find((entry) => entry.id === id),
    },
    log: createLogger({ level: 'silent' }),
    publicUrl: 'http://bench.test',
    timeZone: 'Asia/Shanghai',
    accountType: 'subscription',
    schedules: [],
    catchUpHours: 6,
    dispatch: { ratePerSecond: 0, batchSize: 1000 },
  });
  broadcasting.register(createInboxSender(storage, 'api'));
  return broadcasting;
}

/**
 * Times a manual broadcast's outbox (to every active subscriber) and then the dispatcher
 * draining it into the `api` inbox, over `storage`; checks that all `subscribers` got it.
 */
export async function outboxThenDrain(
  storage: Storage,
  subscribers: number,
): Promise<{ outboxMs: number; drainS: number }> {
  const broadcasting = benchBroadcasting(storage, [BENCH_ENTRY]);
  let started = performance.now();
  const broadcast = await broadcasting.broadcastNow({ kind: 'manual' });
  const outboxMs = performance.now() - started;
  if (broadcast.counts.total !== subscribers) throw new Error('the outbox missed subscribers');
  started = performance.now();
  const drained = await broadcasting.dispatcher.drain();
  const drainS = (performance.now() - started) / 1000;
  if (drained.sent !== subscribers) throw new Error(`sent ${drained.sent} of ${subscribers}`);
  return { outboxMs, drainS };
}
