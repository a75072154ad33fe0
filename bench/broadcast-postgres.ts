/**
 * The broadcast benchmark on PostgreSQL (issue 12), as bench/broadcast.ts on SQLite: the
 * outbox transaction for 1,000,000 subscribers against a bare `INSERT ... SELECT` of as many
 * rows into an unindexed table, then one process's dispatcher draining a broadcast into
 * the `api` inbox. The two timed statements run in pairs, `BENCH_ROUNDS` times (each from a
 * checkpoint; this machine's disk makes single runs vary by a fifth), and the pair with the
 * median ratio is reported with the range of all.
 */
import type { Entry } from '../src/content/entry.ts';
import type { Pg } from '../src/postgres/database.ts';
import { partitionName } from '../src/postgres/schema-partitions.ts';
import { postgresStorage } from '../src/store/storage.ts';
import { BENCH_ENTRY, benchBroadcasting } from './broadcast.ts';
import { openBenchSchema, seedSubscribers, skipWithoutDatabase } from './lib/bench-schema.ts';
import type { BenchRow } from './lib/table.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const DAY_MS = 86_400_000;

interface Round {
  bareMs: number;
  outboxMs: number;
}

export async function broadcastPostgresBench(): Promise<BenchRow[]> {
  if (skipWithoutDatabase('broadcast-pg')) return [];
  const bench = await openBenchSchema();
  try {
    const { pg } = bench;
    await seedSubscribers(pg, 'api', SUBSCRIBERS);
    const entries: Entry[] = Array.from({ length: ROUNDS }, (_, i) => ({
      ...BENCH_ENTRY,
      id: `${BENCH_ENTRY.id}-${i}`,
      hash: `${BENCH_ENTRY.hash}-${i}`,
    }));
    // A day apart: a subscription account broadcasts once a day.
    let now = Date.parse('2025-01-01T00:00:00Z');
    const broadcasting = benchBroadcasting(postgresStorage(pg), entries, () => new Date(now));

    const rounds: Round[] = [];
    let last = 0;
    for (const entry of entries) {
      await pg.query('CHECKPOINT');
      const bareMs = await bareInsert(pg);
      // The bare insert's dead tuples and WAL are not the outbox's to pay for.
      await pg.query('CHECKPOINT');
      const started = performance.now();
      const broadcast = await broadcasting.broadcastNow({ kind: 'manual', entryIds: [entry.id] });
      rounds.push({ bareMs, outboxMs: performance.now() - started });
      if (broadcast.counts.total !== SUBSCRIBERS) throw new Error('the outbox missed subscribers');
      if (last) await setAside(pg, last);
      last = broadcast.id;
      now += DAY_MS;
    }

    const started = performance.now();
    const drained = await broadcasting.dispatcher.drain();
    const drainS = (performance.now() - started) / 1000;
    if (drained.sent !== SUBSCRIBERS) throw new Error(`sent ${drained.sent} of ${SUBSCRIBERS}`);
    return rows(rounds, drainS);
  } finally {
    await bench.drop();
  }
}

/** The same rows, set-based, into a table with no index and no constraint. */
async function bareInsert(pg: Pg) {
  await pg.query(`CREATE TABLE bare_deliveries (id BIGINT GENERATED ALWAYS AS IDENTITY,
    broadcast_id BIGINT, channel TEXT, user_id TEXT, status TEXT, due_at BIGINT)`);
  const started = performance.now();
  await pg.query(`INSERT INTO bare_deliveries (broadcast_id, channel, user_id, status, due_at)
    SELECT 1, channel, user_id, 'pending', 0 FROM subscribers WHERE state = 'active'`);
  const ms = performance.now() - started;
  await pg.query('DROP TABLE bare_deliveries');
  return ms;
}

/** An earlier round's broadcast, out of the drain's way: its partition dropped, unsent. */
async function setAside(pg: Pg, id: number) {
  await pg.query(`DROP TABLE ${partitionName(id)}`);
  await pg.query(`UPDATE broadcasts SET status = 'cancelled', open = 0 WHERE id = $1`, [id]);
}

function rows(rounds: Round[], drainS: number): BenchRow[] {
  const ratio = (round: Round) => round.outboxMs / round.bareMs;
  const sorted = [...rounds].sort((a, b) => ratio(a) - ratio(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const label = `${SUBSCRIBERS.toLocaleString('en')} subscribers`;
  const range = `${ratio(sorted[0]!).toFixed(2)}x to ${ratio(sorted.at(-1)!).toFixed(2)}x`;
  return [
    {
      name: `PostgreSQL: broadcast outbox transaction, ${label} (median of ${rounds.length} pairs: ${range})`,
      metric: 'time',
      value: median.outboxMs,
      unit: 'ms',
      baseline: { name: 'bare INSERT ... SELECT, no index', value: median.bareMs },
      target: '<= 2x',
    },
    {
      name: 'PostgreSQL: outbox rows written',
      metric: 'throughput',
      value: SUBSCRIBERS / (median.outboxMs / 1000),
      unit: 'rows/s',
    },
    {
      name: 'PostgreSQL: one process dispatcher to the api inbox',
      metric: 'throughput',
      value: SUBSCRIBERS / drainS,
      unit: 'deliveries/s',
    },
  ];
}
