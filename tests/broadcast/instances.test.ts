import { afterEach, describe, expect, it } from 'vitest';
import { createBroadcastStore } from '../../src/broadcast/broadcast-store.ts';
import { createBroadcasting } from '../../src/broadcast/broadcasting.ts';
import { createDispatchStore } from '../../src/broadcast/dispatch-store.ts';
import { createDispatcher, type Dispatcher } from '../../src/broadcast/dispatcher.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { Storage } from '../../src/store/storage.ts';
import {
  ACCOUNT_TZ,
  eventually,
  makeEntry,
  makeLibrary,
  PUBLIC_URL,
  makeFixture,
  users,
  type Fixture,
} from '../helpers/broadcast-fixture.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { postgresUrl } from '../helpers/postgres.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [makeEntry('news', '2025-01-05T00:00:00Z')];
const LEASE_MS = 30_000;
const AUDIENCE = 600;
const BATCH = 50;
const WIDE_AUDIENCE = 20_000;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Another instance's dispatcher on the same database, over a connection of its own. */
function instance(fixture: Fixture, storage: Storage, owner: string): Dispatcher {
  return createDispatcher({
    deliveries: createDispatchStore(storage),
    store: createBroadcastStore(storage),
    log: createLogger({ level: 'silent' }),
    defaultTimeZone: 'UTC',
    now: fixture.clock.now,
    leaseMs: LEASE_MS,
    batchSize: BATCH,
    owner,
  });
}

/**
 * PostgreSQL only: on SQLite, instances are processes (tests/broadcast/crash.test.ts). Two
 * connections to one file in one process cannot share it: while one holds a transaction
 * open across awaits, the other's BEGIN IMMEDIATE waits out busy_timeout synchronously,
 * blocking the very event loop the first needs to commit.
 */
describe.skipIf(!postgresUrl)('several instances on one PostgreSQL database', () => {
  const kind = 'postgres';
  // With the fan-out in a partition of its own, the instances claim its fresh rows in turn.
  it.each(['postgres', 'postgres-partitions'] as const)(
    'draining one queue at once, dispatch each delivery once (%s)',
    async (kind) => {
      fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
      await fixture.subscribe('api', users('u', AUDIENCE));
      const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
      const senders = ['a', 'b', 'c'].map(() =>
        createFakeSender({ channel: 'api', maxBatch: BATCH, delayMs: 1 }),
      );
      const dispatchers = await Promise.all(
        senders.map(async (sender, i) => {
          const dispatcher = instance(fixture!, await fixture!.another(), `i${i}`);
          dispatcher.register(sender);
          return dispatcher;
        }),
      );
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.drain()));

      const seen = senders.flatMap((sender) => sender.seen());
      expect(seen.toSorted()).toEqual(users('u', AUDIENCE).toSorted());
      expect(await fixture.broadcasting.store.get(id)).toMatchObject({
        status: 'done',
        counts: { sent: AUDIENCE, pending: 0 },
      });
      const [attempts] = await fixture.sql<{ most: number }>(
        'SELECT max(attempts) AS most FROM deliveries',
      );
      expect(attempts!.most).toBe(1);
    },
  );

  it('finding the same batch whose claim ran out, take it over once', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: NOW,
      dispatch: { leaseMs: LEASE_MS },
    });
    const crashed = createFakeSender({ channel: 'api' });
    // A process that claims and then dies: its send never returns.
    crashed.send = (reply, recipients, key) => {
      crashed.calls.push({ reply, recipients, idempotencyKey: key });
      return new Promise(() => undefined);
    };
    fixture.broadcasting.register(crashed);
    await fixture.subscribe('api', users('u', 5));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    void fixture.broadcasting.dispatcher.step();
    await eventually(() => crashed.calls.length > 0, 'the first claim');

    fixture.clock.advance(LEASE_MS);
    const senders = ['a', 'b'].map(() => createFakeSender({ channel: 'api' }));
    const survivors = await Promise.all(
      senders.map(async (sender, i) => {
        const dispatcher = instance(fixture!, await fixture!.another(), `s${i}`);
        dispatcher.register(sender);
        return dispatcher;
      }),
    );
    await Promise.all(survivors.map((dispatcher) => dispatcher.step()));

    const taken = senders.filter((sender) => sender.calls.length > 0);
    expect(taken).toHaveLength(1);
    expect(taken[0]!.calls[0]?.idempotencyKey).toBe(crashed.calls[0]?.idempotencyKey);
    expect(taken[0]!.seen().toSorted()).toEqual(users('u', 5).toSorted());
    expect((await fixture.broadcasting.store.get(id))?.status).toBe('done');
  });

  it('writing broadcasts at once, give each its own contiguous range of deliveries', async () => {
    const entries = ['e1', 'e2', 'e3', 'e4'].map((id) => makeEntry(id, '2025-01-05T00:00:00Z'));
    fixture = await makeFixture({ kind, entries, start: NOW });
    // Big enough that the four fan-outs overlap in time.
    await fixture.sql(
      `INSERT INTO subscribers (channel, user_id, state, created_at, updated_at)
       SELECT 'api', 'u' || i, 'active', 0, 0 FROM generate_series(1, ${WIDE_AUDIENCE}) AS i`,
    );
    const other = createBroadcasting({
      storage: await fixture.another(),
      library: makeLibrary(entries),
      log: createLogger({ level: 'silent' }),
      publicUrl: PUBLIC_URL,
      timeZone: ACCOUNT_TZ,
      accountType: 'service',
      schedules: [],
      catchUpHours: 6,
      now: fixture.clock.now,
    });
    const instances = [fixture.broadcasting, other];
    const made = await Promise.all(
      entries.map((entry, i) =>
        instances[i % 2]!.broadcastNow({ kind: 'manual', entryIds: [entry.id] }),
      ),
    );
    for (const broadcast of made) {
      expect(broadcast.counts.total).toBe(WIDE_AUDIENCE);
      const [range] = await fixture.sql<{ rows: number; own: number }>(
        `SELECT count(*) AS rows, count(*) FILTER (WHERE d.broadcast_id = b.id) AS own
         FROM broadcasts b JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
         WHERE b.id = ${broadcast.id}`,
      );
      expect(range).toEqual({ rows: WIDE_AUDIENCE, own: WIDE_AUDIENCE });
    }
  });
});
