import { afterEach, describe, expect, it } from 'vitest';
import { pruneDeliveries } from '../../src/broadcast/delivery-retention.ts';
import { createInboxSender } from '../../src/broadcast/inbox-sender.ts';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { broadcastReport } from '../../src/console/broadcast-report.ts';
import { createLogger } from '../../src/log/logger.ts';
import { postgresPartitionStore } from '../../src/postgres/partition-store.ts';
import {
  deliveryPartitions,
  makeEntry,
  makeFixture,
  users,
  type Fixture,
} from '../helpers/broadcast-fixture.ts';
import { postgresUrl } from '../helpers/postgres.ts';

const DAY_MS = 86_400_000;
const KEPT_DAYS = 40;
const START = '2025-01-06T00:00:00Z';
const ENTRIES = ['a', 'b', 'c', 'd', 'e'].map((id, i) => makeEntry(id, `2025-01-05T0${i}:00:00Z`));

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Ten subscribers: every fan-out becomes a partition of its own. */
async function partitionedFixture(): Promise<Fixture> {
  const f = await makeFixture({
    kind: 'postgres',
    entries: ENTRIES,
    start: START,
    partitionFrom: 5,
  });
  await f.subscribe('api', users('u', 10));
  await f.sql('ANALYZE subscribers');
  f.broadcasting.register(createInboxSender(f.storage, 'api', { now: f.clock.now }));
  return f;
}

/** A broadcast of one entry, sent to the end. */
async function sent(f: Fixture, entry: string): Promise<number> {
  const { id } = await f.broadcasting.broadcastNow({ kind: 'manual', entryIds: [entry] });
  await f.broadcasting.dispatcher.drain();
  expect((await f.broadcasting.store.get(id))?.status).toBe('done');
  return id;
}

function sweep(f: Fixture) {
  if (f.storage.kind !== 'postgres') throw new Error('PostgreSQL only');
  return pruneDeliveries({
    store: postgresPartitionStore(f.storage.pg),
    keptDays: KEPT_DAYS,
    now: f.clock.now(),
    log: createLogger({ level: 'silent' }),
  });
}

describe.skipIf(!postgresUrl)('the retention sweep of delivery partitions', () => {
  it('drops the partitions of broadcasts ended long ago, and keeps every other', async () => {
    fixture = await partitionedFixture();
    const f = fixture;
    // Day 0: one sent, one cancelled, one sent (that later holds a pending delivery again).
    const old = await sent(f, 'a');
    const cancelled = await f.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['b'] });
    await f.broadcasting.cancel(cancelled.id);
    const unsettled = await sent(f, 'c');
    // Day 2: one sent, and one still sending.
    f.clock.advance(2 * DAY_MS);
    const recent = await sent(f, 'd');
    const sending = await f.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['e'] });
    // After the last drain, which would send it.
    await f.sql(`UPDATE deliveries SET status = 'pending', settled_at = NULL
      WHERE id = (SELECT first_delivery FROM broadcasts WHERE id = ${unsettled})`);
    await f.sql(`INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at)
      VALUES (0, 'api', 'small', 'sent', 0)`);

    // Day 41: the day-0 ones are past 40 days, the day-2 one is not.
    f.clock.set(new Date(Date.parse(START) + (KEPT_DAYS + 1) * DAY_MS).toISOString());
    const result = await sweep(f);

    expect(result.dropped.sort()).toEqual(
      [`deliveries_b${old}`, `deliveries_b${cancelled.id}`].sort(),
    );
    expect(await deliveryPartitions(f)).toEqual(
      [
        `deliveries_b${unsettled}`,
        `deliveries_b${recent}`,
        `deliveries_b${sending.id}`,
        'deliveries_main',
      ].sort(),
    );
    // The broadcast keeps its row and counts; the console can tell its deliveries went.
    expect(await f.broadcasting.store.get(old)).toMatchObject({
      status: 'done',
      counts: { total: 10, sent: 10 },
    });
    expect(await f.broadcasting.store.deliveries(old, { limit: 5 })).toEqual([]);
    expect(await f.broadcasting.store.deliveriesRemoved(old)).toBe(true);
    expect(await f.broadcasting.store.deliveriesRemoved(recent)).toBe(false);
    const page = broadcastReport((await f.broadcasting.store.get(old))!, [], {
      timeZone: 'UTC',
      csrf: '',
      after: undefined,
      pageSize: 50,
      removedAfterDays: KEPT_DAYS,
    }).text.replace(/\s+/g, ' ');
    expect(page).toContain(`Its deliveries were removed ${KEPT_DAYS} days after it ended`);
    expect(page).not.toContain('No deliveries');
    expect(await f.sql(`SELECT user_id FROM deliveries_main`)).toEqual([{ user_id: 'small' }]);

    // The dispatcher goes on over what is left.
    await f.broadcasting.dispatcher.drain();
    expect((await f.broadcasting.store.get(sending.id))?.status).toBe('done');
    const [pending] = await f.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries WHERE status IN ('pending', 'claimed')`,
    );
    expect(pending!.n).toBe(0);
  });

  it('leaves a partition locked by another connection for the next hour, and drops the others', async () => {
    fixture = await partitionedFixture();
    const f = fixture;
    const busy = await sent(f, 'a');
    const free = await sent(f, 'b');
    f.clock.advance((KEPT_DAYS + 1) * DAY_MS);
    if (f.storage.kind !== 'postgres') throw new Error('PostgreSQL only');
    const other = await f.storage.pg.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT count(*) FROM deliveries_b${busy}`);
      const result = await sweep(f);
      expect(result).toEqual({ dropped: [`deliveries_b${free}`], kept: [`deliveries_b${busy}`] });
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    // The next hour it goes.
    expect((await sweep(f)).dropped).toEqual([`deliveries_b${busy}`]);
    expect(await deliveryPartitions(f)).toEqual(['deliveries_main']);
  });

  it('leaves alone a partition with no broadcast row', async () => {
    fixture = await partitionedFixture();
    const f = fixture;
    const id = await sent(f, 'a');
    f.clock.advance((KEPT_DAYS + 1) * DAY_MS);
    await f.sql(`DELETE FROM broadcast_entries WHERE broadcast_id = ${id}`);
    await f.sql(`DELETE FROM broadcasts WHERE id = ${id}`);
    expect(await sweep(f)).toEqual({ dropped: [], kept: [`deliveries_b${id}`] });
    expect(await deliveryPartitions(f)).toContain(`deliveries_b${id}`);
  });

  it('is what the broadcast part runs for the job engine, with its configured days', async () => {
    fixture = await partitionedFixture();
    const f = fixture;
    const id = await sent(f, 'a');
    expect(f.broadcasting.deliveriesKeptDays).toBe(KEPT_DAYS);
    f.clock.advance((KEPT_DAYS - 1) * DAY_MS);
    expect((await f.broadcasting.pruneDeliveries())?.dropped).toEqual([]);
    f.clock.advance(2 * DAY_MS);
    expect((await f.broadcasting.pruneDeliveries())?.dropped).toEqual([`deliveries_b${id}`]);
  });

  it("runs after each travel of the hosted simulator's clock, where no job engine runs", async () => {
    const travelling = createVirtualClock({ start: new Date(START) });
    try {
      fixture = await makeFixture({
        kind: 'postgres',
        entries: ENTRIES,
        start: START,
        partitionFrom: 5,
        virtualClock: travelling,
      });
      await fixture.subscribe('api', users('u', 10));
      await fixture.sql('ANALYZE subscribers');
      fixture.broadcasting.register(
        createInboxSender(fixture.storage, 'api', { now: () => travelling.now() }),
      );
      await fixture.broadcasting.start();
      const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['a'] });
      await fixture.broadcasting.dispatcher.drain();
      expect((await fixture.broadcasting.store.get(id))?.status).toBe('done');
      expect(await deliveryPartitions(fixture)).toEqual([`deliveries_b${id}`, 'deliveries_main']);

      // (The daily schedule fires on the way, with the other entries: a partition too.)
      await travelling.advance((KEPT_DAYS - 1) * DAY_MS);
      expect(await deliveryPartitions(fixture)).toContain(`deliveries_b${id}`);
      await travelling.advance(2 * DAY_MS);
      expect(await deliveryPartitions(fixture)).not.toContain(`deliveries_b${id}`);
    } finally {
      travelling.close();
    }
  });
});
