import { afterEach, describe, expect, it } from 'vitest';
import { createInboxSender } from '../../src/broadcast/inbox-sender.ts';
import { createOutboxStore } from '../../src/broadcast/outbox-store.ts';
import { openPostgres } from '../../src/postgres/database.ts';
import { POSTGRES_MIGRATIONS } from '../../src/postgres/migrations.ts';
import { BULK_BASE, PARTITIONS_SCHEMA, WINDOW_SIZE } from '../../src/postgres/schema-partitions.ts';
import { postgresStorage } from '../../src/store/storage.ts';
import {
  deliveryPartitions,
  deliveryRange,
  inboxOf,
  makeEntry,
  makeFixture,
  users,
  type Fixture,
} from '../helpers/broadcast-fixture.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [
  makeEntry('guide', '2025-01-05T05:00:00Z', ['guides']),
  makeEntry('plain', '2025-01-05T02:00:00Z'),
  makeEntry('extra', '2025-01-05T01:00:00Z'),
];

let fixture: Fixture | undefined;
let db: TestPostgres | undefined;
afterEach(async () => {
  await fixture?.close();
  await db?.close();
  fixture = db = undefined;
});

/** A manual broadcast's row, for fan-outs driven through the outbox store by hand. */
const MANUAL = {
  kind: 'manual',
  schedule: null,
  tickAt: null,
  now: 1,
  status: 'sending',
  reason: null,
  entryIds: '[]',
  reply: null,
} as const;

type Row = Record<string, unknown>;
const one = async <R extends Row>(f: Fixture, sql: string) => (await f.sql<R>(sql))[0]!;

const tableExists = async (f: Fixture, name: string) =>
  (await one<{ t: string | null }>(f, `SELECT to_regclass('${name}')::text AS t`)).t !== null;

describe.skipIf(!postgresUrl)('a large fan-out on PostgreSQL', () => {
  it('is loaded as a partition of its own: one window of ids, indexed, dispatched once each', async () => {
    fixture = await makeFixture({
      kind: 'postgres',
      entries: ENTRIES,
      start: NOW,
      partitionFrom: 5,
    });
    await fixture.subscribe('api', users('u', 40));
    await fixture.sql('ANALYZE subscribers');
    fixture.broadcasting.register(
      createInboxSender(fixture.storage, 'api', { now: fixture.clock.now }),
    );

    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await deliveryPartitions(fixture)).toEqual(['deliveries_b' + id, 'deliveries_main']);
    const range = await deliveryRange(fixture, id);
    expect(range.total).toBe(40);
    expect(range.first).toBeGreaterThan(BULK_BASE);
    expect(range.last - range.first).toBe(39);
    const rows = await one<{ n: number; lo: number; hi: number; pending: number }>(
      fixture,
      `SELECT count(*)::int AS n, min(id) AS lo, max(id) AS hi,
         count(*) FILTER (WHERE status = 'pending')::int AS pending
       FROM deliveries_b${id}`,
    );
    expect(rows).toEqual({ n: 40, lo: range.first, hi: range.last, pending: 40 });
    // Its primary key and queue indexes are the parent's, attached.
    const indexes = await fixture.sql<{ parent: string }>(`SELECT p.relname AS parent
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_index x ON x.indexrelid = c.oid
      WHERE x.indrelid = 'deliveries_b${id}'::regclass ORDER BY p.relname`);
    expect(indexes.map((row) => row.parent)).toEqual(['deliveries_pkey', 'deliveries_queue']);

    await fixture.broadcasting.dispatcher.drain();
    const sent = await one<{ n: number }>(
      fixture,
      `SELECT count(*)::int AS n FROM deliveries WHERE broadcast_id = ${id} AND status = 'sent'`,
    );
    expect(sent.n).toBe(40);
    const inbox = await one<{ n: number; distinct: number }>(
      fixture,
      `SELECT count(*)::int AS n, count(DISTINCT delivery_id)::int AS distinct FROM inbox`,
    );
    expect(inbox).toEqual({ n: 40, distinct: 40 });
    expect((await fixture.broadcasting.store.get(id))?.status).toBe('done');
    expect(await inboxOf(fixture, 'api', 'u7')).toHaveLength(1);
  });

  it('gives each large fan-out a window further on, and the small ones ids below them', async () => {
    fixture = await makeFixture({
      kind: 'postgres',
      entries: ENTRIES,
      start: NOW,
      partitionFrom: 5,
    });
    await fixture.subscribe('api', users('u', 10));
    await fixture.subscribe('api', ['g1', 'g2'], ['guides']);
    await fixture.sql('ANALYZE subscribers');

    const first = await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['plain'] });
    fixture.clock.advance(60_000);
    // Two followers of one topic: staged, then too few for a partition, moved to the main one.
    const topic = await fixture.broadcasting.broadcastNow({
      kind: 'manual',
      topic: 'guides',
      entryIds: ['guide'],
    });
    fixture.clock.advance(60_000);
    const third = await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['extra'] });

    expect(await deliveryPartitions(fixture)).toEqual([
      `deliveries_b${first.id}`,
      `deliveries_b${third.id}`,
      'deliveries_main',
    ]);
    expect(await tableExists(fixture, `deliveries_b${topic.id}`)).toBe(false);
    const a = await deliveryRange(fixture, first.id);
    const b = await deliveryRange(fixture, topic.id);
    const c = await deliveryRange(fixture, third.id);
    expect(b).toMatchObject({ total: 2 });
    expect(b.last - b.first).toBe(1);
    expect(b.last).toBeLessThan(BULK_BASE);
    // The staged topic broadcast took a window too: there are a million.
    expect(c.first - a.first).toBe(2 * WINDOW_SIZE);
    const moved = await fixture.sql<{ user_id: string }>(
      `SELECT user_id FROM deliveries_main WHERE broadcast_id = ${topic.id} ORDER BY id`,
    );
    expect(moved.map((row) => row.user_id).sort()).toEqual(['g1', 'g2']);
  });

  it('leaves no table behind when the audience is empty, or the transaction rolls back', async () => {
    fixture = await makeFixture({ kind: 'postgres-partitions', entries: ENTRIES, start: NOW });
    await fixture.subscribe('api', ['g1'], ['guides']);
    const store = createOutboxStore(fixture.storage);
    const fanOut = (sets: { topics: string; entrySet: number }[], then: () => void) =>
      store.transaction(async () => {
        const id = await store.insertBroadcast(MANUAL);
        await store.setTopicSets(sets);
        const total = await store.fanOut(id, 'off', 1, '');
        then();
        return total;
      });

    expect(await fanOut([], () => {})).toBe(0);
    expect(await deliveryPartitions(fixture)).toEqual(['deliveries_main']);
    const failing = fanOut([{ topics: '["guides"]', entrySet: 0 }], () => {
      throw new Error('rolled back');
    });
    await expect(failing).rejects.toThrow('rolled back');
    expect(await deliveryPartitions(fixture)).toEqual(['deliveries_main']);
    expect(await fixture.sql(`SELECT id FROM deliveries`)).toEqual([]);
    expect(await fanOut([{ topics: '["guides"]', entrySet: 0 }], () => {})).toBe(1);
    expect(await deliveryPartitions(fixture)).toHaveLength(2);
  });
});

describe.skipIf(!postgresUrl)('the eligible count of a large fan-out', () => {
  it('is counted in the transaction when the pool has no other connection free', async () => {
    fixture = await makeFixture({
      kind: 'postgres',
      entries: ENTRIES,
      start: NOW,
      partitionFrom: 0,
    });
    await fixture.subscribe('api', users('u', 6));
    await fixture.subscribe('api', ['g1', 'g2'], ['guides']);
    await fixture.subscribers.save(
      'api',
      'gone',
      { state: 'blocked', topics: [] },
      fixture.clock.now(),
    );
    if (fixture.storage.kind !== 'postgres') throw new Error('a PostgreSQL fixture');
    // One connection: the transaction holds it, nothing is left to count beside the load.
    const narrow = await openPostgres({
      url: postgresUrl!,
      schema: (fixture.storage.pg as TestPostgres).schema,
      migrate: false,
      max: 1,
    });
    try {
      const store = createOutboxStore(postgresStorage(narrow, { partitionFrom: 0 }));
      const counts = await store.transaction(async () => {
        const id = await store.insertBroadcast(MANUAL);
        await store.setTopicSets([{ topics: '[]', entrySet: 0 }]);
        const total = await store.fanOut(id, 'off', 1, '');
        return { total, eligible: await store.countEligible('off'), pool: narrow.pool.totalCount };
      });
      expect(counts).toEqual({ total: 6, eligible: 8, pool: 1 });
    } finally {
      await narrow.close();
    }
  });
});

describe.skipIf(!postgresUrl)('the partitioning migration', () => {
  it('keeps the deliveries written before it, and new ids go on after them', async () => {
    db = await openTestPostgres({ migrate: false });
    const before = POSTGRES_MIGRATIONS.indexOf(PARTITIONS_SCHEMA);
    await db.query('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const step of POSTGRES_MIGRATIONS.slice(0, before)) await db.query(step);
    await db.query('INSERT INTO schema_version (version) VALUES ($1)', [before]);
    await db.query(`INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at)
      SELECT 1, 'api', 'old' || i, 'pending', 0 FROM generate_series(1, 3) AS i`);

    const migrated = await openPostgres({ url: db.url, schema: db.schema, max: 2 });
    try {
      const storage = postgresStorage(migrated);
      const rows = await migrated.query<{ id: number; user_id: string }>(
        `SELECT id, user_id FROM deliveries ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 1, user_id: 'old1' },
        { id: 2, user_id: 'old2' },
        { id: 3, user_id: 'old3' },
      ]);
      await migrated.query(`INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at)
        VALUES (2, 'api', 'new', 'pending', 0)`);
      const [added] = await migrated.query<{ id: number }>(
        `SELECT id FROM deliveries_main WHERE user_id = 'new'`,
      );
      expect(added!.id).toBe(4);
      const pending = await migrated.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending' AND channel = 'api'`,
      );
      expect(pending[0]!.n).toBe(4);
      expect(storage.kind).toBe('postgres');
    } finally {
      await migrated.close();
    }
  });
});
