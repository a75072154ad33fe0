import { afterEach, describe, expect, it } from 'vitest';
import { createDispatchStore } from '../../src/broadcast/dispatch-store.ts';
import { createOutboxStore } from '../../src/broadcast/outbox-store.ts';
import { openPostgres } from '../../src/postgres/database.ts';
import { postgresDispatchStore } from '../../src/postgres/dispatch-store.ts';
import { POSTGRES_MIGRATIONS } from '../../src/postgres/migrations.ts';
import { postgresPartitionStore } from '../../src/postgres/partition-store.ts';
import { FRESH_QUEUE_SCHEMA } from '../../src/postgres/schema-fresh-queue.ts';
import {
  deliveryPartitions,
  deliveryRange,
  makeEntry,
  makeFixture,
  users,
  type Fixture,
} from '../helpers/broadcast-fixture.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [
  makeEntry('guide', '2025-01-05T05:00:00Z', ['guides']),
  makeEntry('plain', '2025-01-05T02:00:00Z'),
];

let fixture: Fixture | undefined;
let db: TestPostgres | undefined;
afterEach(async () => {
  await fixture?.close();
  await db?.close();
  fixture = db = undefined;
});

type Cursor = { channel: string; after: number; last: number };
const cursorsOf = (f: Fixture, id: number) =>
  f.sql<Cursor>(`SELECT channel, after_id AS after, last_id AS last FROM delivery_cursors
    WHERE broadcast_id = ${id} ORDER BY channel`);
const freshCount = async (f: Fixture, id: number) =>
  (
    await f.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries WHERE broadcast_id = ${id} AND fresh`,
    )
  )[0]!.n;

/** A fixture whose every fan-out of 5 or more is a partition, with `api` and `web` followers. */
async function bulkFixture(api: string[], web: string[] = []) {
  const f = await makeFixture({ kind: 'postgres', entries: ENTRIES, start: NOW, partitionFrom: 5 });
  await f.subscribe('api', api);
  await f.subscribe('web', web);
  await f.sql('ANALYZE subscribers');
  return f;
}

describe.skipIf(!postgresUrl)('the fresh deliveries of a bulk fan-out on PostgreSQL', () => {
  it('stay out of the queue index and are claimed in id order from a cursor per channel', async () => {
    fixture = await bulkFixture(users('a', 30), users('w', 10));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    const { first, last } = await deliveryRange(fixture, id);
    expect(await cursorsOf(fixture, id)).toEqual([
      { channel: 'api', after: first - 1, last },
      { channel: 'web', after: first - 1, last },
    ]);
    expect(await freshCount(fixture, id)).toBe(40);
    // The partition's queue index was built empty.
    const [index] = await fixture.sql<{ tuples: number }>(`SELECT c.reltuples AS tuples
      FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE x.indrelid = 'deliveries_b${id}'::regclass AND NOT x.indisprimary`);
    expect(index!.tuples).toBe(0);

    const api = createFakeSender({ channel: 'api', maxBatch: 7 });
    const web = createFakeSender({ channel: 'web', maxBatch: 4 });
    fixture.broadcasting.register(api);
    fixture.broadcasting.register(web);
    await fixture.broadcasting.dispatcher.drain();

    for (const [sender, audience] of [
      [api, users('a', 30)],
      [web, users('w', 10)],
    ] as const) {
      expect(sender.seen().toSorted()).toEqual(audience.toSorted());
      const ids = sender.calls.flatMap((call) => call.recipients.map((r) => r.deliveryId));
      expect(ids).toEqual(ids.toSorted((x, y) => x - y));
      expect(sender.calls.every((call) => call.recipients.length <= sender.maxBatch)).toBe(true);
    }
    expect(await cursorsOf(fixture, id)).toEqual([]);
    expect(await freshCount(fixture, id)).toBe(0);
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { sent: 40, pending: 0 },
    });
  });

  it('moves the cursor with the claim: rolled back, both are as they were', async () => {
    fixture = await bulkFixture(users('a', 12));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    const [before] = await cursorsOf(fixture, id);
    const store = createDispatchStore(fixture.storage);
    const at = fixture.clock.now().getTime();

    const failing = store.transaction(async () => {
      const rows = await store.due('api', at, 5);
      expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5].map((n) => before!.after + n));
      await store.claim(
        rows.map((row) => row.id),
        'k',
        at + 1000,
      );
      expect((await cursorsOf(fixture!, id))[0]!.after).toBe(before!.after + 5);
      throw new Error('the claim failed');
    });
    await expect(failing).rejects.toThrow('the claim failed');
    expect(await cursorsOf(fixture, id)).toEqual([before]);
    expect(await freshCount(fixture, id)).toBe(12);

    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen().toSorted()).toEqual(users('a', 12).toSorted());
  });

  it('writes a topic fan-out in entry-set order, and each claim takes one entry set', async () => {
    fixture = await makeFixture({
      kind: 'postgres',
      entries: ENTRIES,
      start: NOW,
      partitionFrom: 5,
    });
    // Interleaved on disk: a follower of the topic, then one without, and so on.
    for (let i = 0; i < 8; i++) {
      await fixture.subscribe('api', [`g${i}`], ['guides']);
      await fixture.subscribe('api', [`p${i}`]);
    }
    await fixture.sql('ANALYZE subscribers');
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await deliveryPartitions(fixture)).toContain(`deliveries_b${id}`);
    const sets = await fixture.sql<{ entry_set: number }>(
      `SELECT entry_set FROM deliveries WHERE broadcast_id = ${id} ORDER BY id`,
    );
    const order = sets.map((row) => row.entry_set);
    expect(order).toEqual(order.toSorted((x, y) => x - y));
    expect(new Set(order).size).toBe(2);

    const api = createFakeSender({ channel: 'api', maxBatch: 100 });
    fixture.broadcasting.register(api);
    await fixture.broadcasting.dispatcher.drain();
    expect(api.calls).toHaveLength(2);
    const byUsers = api.calls.map((call) => call.recipients.map((r) => r.userId[0]).join(''));
    expect(byUsers.toSorted()).toEqual(['gggggggg', 'pppppppp']);
    expect(api.seen()).toHaveLength(16);
  });

  it('closes the cursors of a cancelled broadcast, and of a channel no sender serves', async () => {
    fixture = await bulkFixture(users('a', 6), users('w', 6));
    const cancelled = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await cursorsOf(fixture, cancelled.id)).toHaveLength(2);
    await fixture.broadcasting.cancel(cancelled.id);
    expect(await cursorsOf(fixture, cancelled.id)).toEqual([]);
    expect(await fixture.broadcasting.store.get(cancelled.id)).toMatchObject({
      status: 'cancelled',
      counts: { cancelled: 12 },
    });

    fixture.clock.advance(60_000);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['plain'] });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen().toSorted()).toEqual(users('a', 6).toSorted());
    expect(await cursorsOf(fixture, id)).toEqual([]);
    const broadcast = await fixture.broadcasting.store.get(id);
    expect(broadcast).toMatchObject({ status: 'done', counts: { sent: 6, skipped: 6 } });
  });

  it('keeps the partition of a broadcast with a cursor open from the retention sweep', async () => {
    fixture = await bulkFixture(users('a', 6));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    if (fixture.storage.kind !== 'postgres') throw new Error('a PostgreSQL fixture');
    const partitions = postgresPartitionStore(fixture.storage.pg);
    const [partition] = await partitions.list();
    expect(partition?.broadcastId).toBe(id);
    // Every row fresh: none in the queue index, the cursor says they are pending.
    expect(await partitions.drop(partition!)).toBe('unsettled');

    fixture.broadcasting.register(createFakeSender({ channel: 'api' }));
    await fixture.broadcasting.dispatcher.drain();
    expect(await partitions.drop(partition!)).toBe('dropped');
  });
});

describe.skipIf(!postgresUrl)('the fresh-queue migration', () => {
  it('leaves the deliveries written before it in the queue index, dispatched as before', async () => {
    db = await openTestPostgres({ migrate: false });
    const before = POSTGRES_MIGRATIONS.indexOf(FRESH_QUEUE_SCHEMA);
    await db.query('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const step of POSTGRES_MIGRATIONS.slice(0, before)) await db.query(step);
    await db.query('INSERT INTO schema_version (version) VALUES ($1)', [before]);
    await db.query(`INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at)
      SELECT 1, 'api', 'old' || i, 'pending', 0 FROM generate_series(1, 3) AS i`);

    const migrated = await openPostgres({ url: db.url, schema: db.schema, max: 2 });
    try {
      const store = postgresDispatchStore(migrated);
      expect(await store.transaction(() => store.queuedChannels())).toEqual(['api']);
      const due = await store.transaction(() => store.due('api', 1, 10));
      expect(due.map((row) => row.userId).toSorted()).toEqual(['old1', 'old2', 'old3']);
      const [fresh] = await migrated.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM deliveries WHERE fresh',
      );
      expect(fresh!.n).toBe(0);
    } finally {
      await migrated.close();
    }
  });
});

describe.skipIf(!postgresUrl)('a cancel beside a claim of fresh deliveries', () => {
  it('waits for the claim under way, then cancels what it left', async () => {
    fixture = await bulkFixture(users('a', 10));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    const at = fixture.clock.now().getTime();
    const store = createDispatchStore(fixture.storage);
    const outbox = createOutboxStore(await fixture.another());
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    let tookRows = () => {};
    const rowsTaken = new Promise<void>((done) => (tookRows = done));

    const claim = store.transaction(async () => {
      const rows = await store.due('api', at, 4);
      await store.claim(
        rows.map((row) => row.id),
        'k',
        at + 1000,
      );
      tookRows();
      await held;
    });
    await rowsTaken;
    const cancel = outbox.transaction(() => outbox.cancelPending(id, at));
    await new Promise((done) => setTimeout(done, 100));
    release();
    await claim;
    expect(await cancel).toEqual({ count: 6, held: 0 });
    const statuses = await fixture.sql<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM deliveries WHERE broadcast_id = ${id}
       GROUP BY status ORDER BY status`,
    );
    expect(statuses).toEqual([
      { status: 'cancelled', n: 6 },
      { status: 'claimed', n: 4 },
    ]);
    expect(await cursorsOf(fixture, id)).toEqual([]);
  });
});
