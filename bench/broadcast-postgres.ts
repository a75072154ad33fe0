/**
 * The broadcast benchmark on PostgreSQL (issue 12), row for row as bench/broadcast.ts on
 * SQLite: the outbox transaction for 1,000,000 subscribers against a bare `INSERT ...
 * SELECT` of as many rows into an unindexed table of the same schema, then one process's
 * dispatcher draining it into the `api` inbox.
 */
import { postgresStorage } from '../src/store/storage.ts';
import { outboxThenDrain } from './broadcast.ts';
import { openBenchSchema, seedSubscribers, skipWithoutDatabase } from './lib/bench-schema.ts';
import type { BenchRow } from './lib/table.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);

export async function broadcastPostgresBench(): Promise<BenchRow[]> {
  if (skipWithoutDatabase('broadcast-pg')) return [];
  const bench = await openBenchSchema();
  try {
    const { pg } = bench;
    await seedSubscribers(pg, 'api', SUBSCRIBERS);

    // Baseline: the same rows, set-based, into a table with no index and no constraint.
    await pg.query(`CREATE TABLE bare_deliveries (id BIGINT GENERATED ALWAYS AS IDENTITY,
      broadcast_id BIGINT, channel TEXT, user_id TEXT, status TEXT, due_at BIGINT)`);
    const started = performance.now();
    await pg.query(`INSERT INTO bare_deliveries (broadcast_id, channel, user_id, status, due_at)
      SELECT 1, channel, user_id, 'pending', 0 FROM subscribers WHERE state = 'active'`);
    const bareMs = performance.now() - started;
    await pg.query('DROP TABLE bare_deliveries');
    // The bare insert's dead tuples and WAL are not the outbox's to pay for.
    await pg.query('CHECKPOINT');

    const storage = postgresStorage(pg);
    const { outboxMs, drainS } = await outboxThenDrain(storage, SUBSCRIBERS);

    const label = `${SUBSCRIBERS.toLocaleString('en')} subscribers`;
    return [
      {
        name: `PostgreSQL: broadcast outbox transaction, ${label}`,
        metric: 'time',
        value: outboxMs,
        unit: 'ms',
        baseline: { name: 'bare INSERT ... SELECT, no index, same schema', value: bareMs },
        target: '<= 2x',
      },
      {
        name: 'PostgreSQL: outbox rows written',
        metric: 'throughput',
        value: SUBSCRIBERS / (outboxMs / 1000),
        unit: 'rows/s',
      },
      {
        name: 'PostgreSQL: one process dispatcher to the api inbox',
        metric: 'throughput',
        value: SUBSCRIBERS / drainS,
        unit: 'deliveries/s',
      },
    ];
  } finally {
    await bench.drop();
  }
}
