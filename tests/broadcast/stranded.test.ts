import { afterEach, describe, expect, it } from 'vitest';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { FAN_OUT_DATABASES, type FanOutDatabase } from '../helpers/postgres.ts';
import {
  eventually,
  makeEntry,
  makeFixture,
  users,
  type Fixture,
} from '../helpers/broadcast-fixture.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [makeEntry('news', '2025-01-05T00:00:00Z')];
const LEASE_MS = 30_000;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const setup = async (kind: FanOutDatabase) => {
  fixture = await makeFixture({
    kind,
    entries: ENTRIES,
    start: NOW,
    dispatch: { leaseMs: LEASE_MS },
  });
  const api = createFakeSender({ channel: 'api' });
  fixture.broadcasting.register(api);
  return { fixture, api };
};

describe.each(FAN_OUT_DATABASES)('a delivery with no way out (%s)', (kind) => {
  it.each(['wechat', 'constructor', '__proto__', 'toString'])(
    'to a follower on a channel no sender serves (%s) is skipped with the reason, and the broadcast ends',
    async (channel) => {
      const { fixture, api } = await setup(kind);
      await fixture.subscribe('api', ['alice']);
      await fixture.subscribe(channel, users('o', 2));
      const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
      await fixture.broadcasting.dispatcher.drain();
      expect(api.seen()).toEqual(['alice']);
      const broadcast = (await fixture.broadcasting.store.get(id))!;
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
    const { fixture } = await setup(kind);
    const dying = createFakeSender({ channel: 'wechat' });
    let claimed = false;
    dying.send = () => ((claimed = true), new Promise(() => undefined));
    fixture.broadcasting.register(dying);
    await fixture.subscribe('wechat', users('o', 2));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    void fixture.broadcasting.dispatcher.step();
    await eventually(() => claimed, 'the claim of the process that dies');

    const { createDispatcher } = await import('../../src/broadcast/dispatcher.ts');
    const { createDispatchStore } = await import('../../src/broadcast/dispatch-store.ts');
    const { createLogger } = await import('../../src/log/logger.ts');
    // The restarted process has no WeChat sender configured.
    const restarted = createDispatcher({
      deliveries: createDispatchStore(fixture.storage),
      store: fixture.broadcasting.store,
      log: createLogger({ level: 'silent' }),
      defaultTimeZone: 'UTC',
      now: fixture.clock.now,
      leaseMs: LEASE_MS,
    });
    restarted.register(createFakeSender({ channel: 'api' }));
    await restarted.drain();
    expect((await fixture.broadcasting.store.get(id))?.status).toBe('sending');
    fixture.clock.advance(LEASE_MS);
    await restarted.drain();
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { skipped: 2 },
      skipReasons: { 'no sender for channel wechat': 2 },
    });
  });

  it('is skipped when its recipient is gone, held or not, and the held count goes back down', async () => {
    const { fixture, api } = await setup(kind);
    await fixture.subscribe('api', ['alice', 'bob', 'carol']);
    // Carol is in her quiet hours: held, then gone.
    await fixture.subscribers.setPreferences(
      'api',
      'carol',
      { timeZone: 'UTC', quiet: { start: 0, end: 23 * 60 } },
      fixture.clock.now(),
    );
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.sql(`DELETE FROM subscribers WHERE user_id = 'bob'`);
    await fixture.broadcasting.dispatcher.drain();
    expect((await fixture.broadcasting.store.get(id))?.counts).toMatchObject({
      held: 1,
      skipped: 1,
    });
    await fixture.sql(`DELETE FROM subscribers WHERE user_id = 'carol'`);
    fixture.clock.advance(24 * 3_600_000);
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen()).toEqual(['alice']);
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { sent: 1, skipped: 2, held: 0, pending: 0 },
      skipReasons: { 'subscriber is no longer active': 2 },
    });
  });

  it('is skipped when its broadcast is gone, so that the queue does not hold it for ever', async () => {
    const { fixture, api } = await setup(kind);
    await fixture.subscribe('api', ['alice']);
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.sql('DELETE FROM broadcast_entries');
    await fixture.sql('DELETE FROM broadcasts');
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ skipped: 1 });
    expect(api.seen()).toEqual([]);
    const [open] = await fixture.sql<{ count: number }>(
      `SELECT count(*) AS count FROM deliveries WHERE status IN ('pending', 'claimed')`,
    );
    expect(open!.count).toBe(0);
  });

  it('of a preview to a channel with no sender ends the preview', async () => {
    const { fixture } = await setup(kind);
    await fixture.subscribe('wechat', ['o1']);
    const preview = await fixture.broadcasting.broadcastNow({
      kind: 'preview',
      user: 'o1',
      channel: 'wechat',
    });
    await fixture.broadcasting.dispatcher.drain();
    expect(await fixture.broadcasting.store.get(preview.id)).toMatchObject({
      status: 'done',
      counts: { skipped: 1 },
    });
  });

  it('is still sent when its entry was deleted after the broadcast was created: the reply was kept', async () => {
    const { fixture, api } = await setup(kind);
    await fixture.subscribe('api', ['alice']);
    await fixture.subscribe('api', ['bob'], ['guides']);
    fixture.library.add(makeEntry('guide', '2025-01-05T01:00:00Z', ['guides']));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    fixture.library.remove('guide');
    fixture.library.remove('news');
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen().sort()).toEqual(['alice', 'bob']);
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { sent: 2 },
    });
  });
});
