import { afterEach, describe, expect, it } from 'vitest';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { makeEntry, makeFixture, users, type Fixture } from '../helpers/broadcast-fixture.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [makeEntry('news', '2025-01-05T00:00:00Z')];
const LEASE_MS = 30_000;

let fixture: Fixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const setup = () => {
  fixture = makeFixture({ entries: ENTRIES, start: NOW, dispatch: { leaseMs: LEASE_MS } });
  const api = createFakeSender({ channel: 'api' });
  fixture.broadcasting.register(api);
  return { fixture, api };
};

describe('a delivery with no way out', () => {
  it.each(['wechat', 'constructor', '__proto__', 'toString'])(
    'to a follower on a channel no sender serves (%s) is skipped with the reason, and the broadcast ends',
    async (channel) => {
      const { fixture, api } = setup();
      await fixture.subscribe('api', ['alice']);
      await fixture.subscribe(channel, users('o', 2));
      const { id } = fixture.broadcasting.broadcastNow({ kind: 'manual' });
      await fixture.broadcasting.dispatcher.drain();
      expect(api.seen()).toEqual(['alice']);
      const broadcast = fixture.broadcasting.store.get(id)!;
      expect(broadcast).toMatchObject({
        status: 'done',
        counts: { total: 3, sent: 1, skipped: 2, pending: 0 },
      });
      expect(Object.entries(broadcast.skipReasons!)).toEqual([
        [`no sender for channel ${channel}`, 2],
      ]);
    },
  );

  it('is skipped when it was claimed by a process that died and its channel has no sender now', async () => {
    const { fixture } = setup();
    const dying = createFakeSender({ channel: 'wechat' });
    dying.send = () => new Promise(() => undefined);
    fixture.broadcasting.register(dying);
    await fixture.subscribe('wechat', users('o', 2));
    const { id } = fixture.broadcasting.broadcastNow({ kind: 'manual' });
    void fixture.broadcasting.dispatcher.step();
    await new Promise((done) => setImmediate(done));

    const { createDispatcher } = await import('../../src/broadcast/dispatcher.ts');
    const { createDispatchStore } = await import('../../src/broadcast/dispatch-store.ts');
    const { createLogger } = await import('../../src/log/logger.ts');
    // The restarted process has no WeChat sender configured.
    const restarted = createDispatcher({
      deliveries: createDispatchStore(fixture.db),
      store: fixture.broadcasting.store,
      log: createLogger({ level: 'silent' }),
      defaultTimeZone: 'UTC',
      now: fixture.clock.now,
      leaseMs: LEASE_MS,
    });
    restarted.register(createFakeSender({ channel: 'api' }));
    await restarted.drain();
    expect(fixture.broadcasting.store.get(id)?.status).toBe('sending');
    fixture.clock.advance(LEASE_MS);
    await restarted.drain();
    expect(fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { skipped: 2 },
      skipReasons: { 'no sender for channel wechat': 2 },
    });
  });

  it('is skipped when its recipient is gone, held or not, and the held count goes back down', async () => {
    const { fixture, api } = setup();
    await fixture.subscribe('api', ['alice', 'bob', 'carol']);
    // Carol is in her quiet hours: held, then gone.
    await fixture.subscribers.setPreferences(
      'api',
      'carol',
      { timeZone: 'UTC', quiet: { start: 0, end: 23 * 60 } },
      fixture.clock.now(),
    );
    const { id } = fixture.broadcasting.broadcastNow({ kind: 'manual' });
    fixture.db.prepare(`DELETE FROM subscribers WHERE user_id = 'bob'`).run();
    await fixture.broadcasting.dispatcher.drain();
    expect(fixture.broadcasting.store.get(id)?.counts).toMatchObject({ held: 1, skipped: 1 });
    fixture.db.prepare(`DELETE FROM subscribers WHERE user_id = 'carol'`).run();
    fixture.clock.advance(24 * 3_600_000);
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen()).toEqual(['alice']);
    expect(fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { sent: 1, skipped: 2, held: 0, pending: 0 },
      skipReasons: { 'subscriber is no longer active': 2 },
    });
  });

  it('is skipped when its broadcast is gone, so that the queue does not hold it for ever', async () => {
    const { fixture, api } = setup();
    await fixture.subscribe('api', ['alice']);
    fixture.broadcasting.broadcastNow({ kind: 'manual' });
    fixture.db.exec('DELETE FROM broadcast_entries; DELETE FROM broadcasts');
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ skipped: 1 });
    expect(api.seen()).toEqual([]);
    const open = fixture.db
      .prepare(`SELECT count(*) AS count FROM deliveries WHERE status IN ('pending', 'claimed')`)
      .get() as { count: number };
    expect(open.count).toBe(0);
  });

  it('of a preview to a channel with no sender ends the preview', async () => {
    const { fixture } = setup();
    await fixture.subscribe('wechat', ['o1']);
    const preview = fixture.broadcasting.broadcastNow({
      kind: 'preview',
      user: 'o1',
      channel: 'wechat',
    });
    await fixture.broadcasting.dispatcher.drain();
    expect(fixture.broadcasting.store.get(preview.id)).toMatchObject({
      status: 'done',
      counts: { skipped: 1 },
    });
  });

  it('is still sent when its entry was deleted after the broadcast was created: the reply was kept', async () => {
    const { fixture, api } = setup();
    await fixture.subscribe('api', ['alice']);
    await fixture.subscribe('api', ['bob'], ['guides']);
    fixture.library.add(makeEntry('guide', '2025-01-05T01:00:00Z', ['guides']));
    const { id } = fixture.broadcasting.broadcastNow({ kind: 'manual' });
    fixture.library.remove('guide');
    fixture.library.remove('news');
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen().sort()).toEqual(['alice', 'bob']);
    expect(fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { sent: 2 },
    });
  });
});
