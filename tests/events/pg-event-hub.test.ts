import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Broadcast } from '../../src/broadcast/broadcast-types.ts';
import type { AccountEvent } from '../../src/events/event-hub.ts';
import { createPgEventHub, type PgEventHub } from '../../src/events/pg-event-hub.ts';
import { openPostgres, type Pg } from '../../src/postgres/database.ts';
import { DATABASES, openTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { memoryLogger } from '../helpers/temp-service.ts';
import { WAIT } from '../helpers/wait.ts';

const CREATED = new Date('2026-12-07T10:00:00Z');
const event = (id: number, extra: Partial<Broadcast> = {}): AccountEvent => ({
  type: 'broadcast',
  broadcast: {
    id,
    kind: 'manual',
    status: 'sending',
    createdAt: CREATED,
    entryIds: ['a'],
    counts: {
      total: 2,
      sent: 1,
      failed: 0,
      filtered: 0,
      held: 0,
      pending: 1,
      skipped: 0,
      cancelled: 0,
    },
    ...extra,
  },
});

/** Resolves when `count` events have arrived at `hub`'s subscriber; the ids seen. */
function collect(hub: PgEventHub) {
  const seen: AccountEvent[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  hub.subscribe((e) => {
    seen.push(e);
    if (waiting && seen.length >= waiting.count) waiting.resolve();
  });
  return {
    ids: () => seen.map((e) => e.broadcast.id),
    seen,
    until: (count: number) =>
      seen.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => (waiting = { count, resolve })),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe.skipIf(!DATABASES.includes('postgres'))('the event hub across instances', () => {
  let db: TestPostgres;
  let other: Pg;
  const hubs: PgEventHub[] = [];
  let logs = memoryLogger('info');
  const logged = (msg: string) => logs.lines().filter((line) => line.msg === msg).length;
  // NOTIFY channels belong to the database, not the schema: one per test schema.
  const hub = (pool: Pg) => {
    const created = createPgEventHub(pool, {
      channel: `${db.schema}_events`,
      log: logs.log,
      backoffMs: 20,
    });
    hubs.push(created);
    return created;
  };

  beforeEach(async () => {
    logs = memoryLogger('info');
    db = await openTestPostgres();
    // A second instance: a pool of its own on the same database and schema.
    other = await openPostgres({ url: db.url, schema: db.schema, max: 2, migrate: false });
  });
  afterEach(async () => {
    for (const h of hubs.splice(0)) await h.stop();
    await other.close();
    await db.close();
  });

  it('gives an event published on one instance to the subscribers of both, each once', async () => {
    const [a, b] = [hub(db), hub(other)];
    await Promise.all([a.listening(), b.listening()]);
    const onA = collect(a);
    const onB = collect(b);
    a.publish(event(1));
    await onB.until(1);
    b.publish(event(2));
    await Promise.all([onA.until(2), onB.until(2)]);
    await settle();
    expect(onA.ids()).toEqual([1, 2]);
    expect(onB.ids()).toEqual([1, 2]);
    expect(onB.seen[0]).toEqual(event(1));
  });

  it('still delivers after the listening connection was killed, once it reconnects, and ends the streams open before (they may have missed events)', async () => {
    const [a, b] = [hub(db), hub(other)];
    await Promise.all([a.listening(), b.listening()]);
    let ended = 0;
    b.subscribe(
      () => {},
      () => ended++,
    );
    const killed = await db.query<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = current_database() AND query = $1`,
      [`LISTEN "${db.schema}_events"`],
    );
    expect(killed.map((row) => row.killed)).toEqual([true, true]);
    await vi.waitFor(() => expect(logged('event listener lost')).toBe(2), WAIT);
    await Promise.all([a.listening(), b.listening()]);
    expect(logged('event listener reconnected')).toBe(2);
    expect(ended).toBe(1);
    const onB = collect(b);
    a.publish(event(3));
    await onB.until(1);
    expect(onB.ids()).toEqual([3]);
  });

  it('keeps trying, with a log line each time, while the database cannot be reached', async () => {
    const nowhere = await openPostgres({
      url: 'postgres://postgres@127.0.0.1:1/none',
      migrate: false,
    });
    const lonely = hub(nowhere);
    await vi.waitFor(
      () => expect(logged('event listener could not connect')).toBeGreaterThan(2),
      WAIT,
    );
    const seen = collect(lonely);
    lonely.publish(event(5));
    expect(seen.ids()).toEqual([5]);
    await vi.waitFor(() => expect(logged('event not sent to other instances')).toBe(1), WAIT);
    await lonely.stop();
    await nowhere.close();
  });

  it('sends a broadcast too large for a notification without its reply', async () => {
    const [a, b] = [hub(db), hub(other)];
    await Promise.all([a.listening(), b.listening()]);
    const onB = collect(b);
    const text = '长'.repeat(5_000);
    a.publish(event(4, { reply: { type: 'text', text } }));
    await onB.until(1);
    expect(onB.seen[0]!.broadcast.reply).toBeUndefined();
    expect(onB.seen[0]!.broadcast.counts.sent).toBe(1);
    expect(onB.seen[0]!.broadcast.createdAt).toEqual(CREATED);
  });
});
