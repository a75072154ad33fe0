import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastError } from '../../src/broadcast/broadcast-types.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { FAN_OUT_DATABASES } from '../helpers/postgres.ts';
import { makeEntry, makeFixture, users, type Fixture } from '../helpers/broadcast-fixture.ts';

const NOW = '2025-01-06T00:00:00Z';
const OLD_ENTRIES = Array.from({ length: 10 }, (_, i) =>
  makeEntry(`entry-${i}`, `2024-12-${String(10 + i).padStart(2, '0')}T00:00:00Z`, ['events']),
);
const MAX_ARTICLES = 8;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe.each(FAN_OUT_DATABASES)('the outbox (%s)', (kind) => {
  it('counts an entry as published from its instant on, by the one rule every path uses', async () => {
    const AT_NOW = makeEntry('at-now', NOW);
    const LATER = makeEntry('a-millisecond-later', '2025-01-06T00:00:00.001Z');
    fixture = await makeFixture({ kind, entries: [AT_NOW, LATER], start: NOW });
    await fixture.subscribe('api', ['alice']);
    expect((await fixture.broadcasting.dryRun({ kind: 'manual' })).entryIds).toEqual(['at-now']);
    await expect(
      fixture!.broadcasting.broadcastNow({ kind: 'manual', entryIds: [LATER.id] }),
    ).rejects.toThrow(/not published until/);
    fixture.clock.advance(1);
    expect((await fixture.broadcasting.dryRun({ kind: 'manual' })).entryIds).toEqual([
      'a-millisecond-later',
      'at-now',
    ]);
  });

  it('creates one delivery per active subscriber and channel, and the dispatcher sends each once', async () => {
    fixture = await makeFixture({ kind, entries: OLD_ENTRIES, start: NOW });
    const api = createFakeSender({ channel: 'api' });
    const wechat = createFakeSender({ channel: 'wechat' });
    fixture.broadcasting.register(api);
    fixture.broadcasting.register(wechat);
    await fixture.subscribe('api', users('a', 30));
    await fixture.subscribe('wechat', users('w', 20));
    await fixture.subscribe('wechat', ['a0']);
    await fixture.subscribers.save('api', 'gone', { state: 'unsubscribed' }, fixture.clock.now());

    const broadcast = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(broadcast.counts.total).toBe(51);
    await fixture.broadcasting.dispatcher.drain();

    expect(api.seen().toSorted()).toEqual(users('a', 30).toSorted());
    expect(wechat.seen().toSorted()).toEqual([...users('w', 20), 'a0'].toSorted());
    const report = (await fixture.broadcasting.store.get(broadcast.id))!;
    expect(report.status).toBe('done');
    expect(report.counts).toMatchObject({ total: 51, sent: 51, failed: 0, pending: 0 });
  });

  it('sends the newest 8 due entries, leaves the rest for the next broadcast, and never sends one twice', async () => {
    fixture = await makeFixture({ kind, entries: OLD_ENTRIES, start: NOW });
    await fixture.subscribe('api', ['alice']);
    const first = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(first.entryIds).toEqual(
      OLD_ENTRIES.slice(2)
        .reverse()
        .map((e) => e.id),
    );
    expect(first.entryIds).toHaveLength(MAX_ARTICLES);

    const second = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(second.entryIds).toEqual(['entry-1', 'entry-0']);

    // Edited (new hash), renamed back, or re-added: still broadcast once only.
    fixture.library.add({ ...OLD_ENTRIES[9]!, hash: 'edited' });
    fixture.library.add({ ...OLD_ENTRIES[8]!, id: 'copy-under-new-name' });
    await expect(fixture!.broadcasting.broadcastNow({ kind: 'manual' })).rejects.toThrow(
      expect.objectContaining({ code: 'nothing-due' }),
    );
  });

  it('does not send entries dated in the future until they are published', async () => {
    fixture = await makeFixture({
      kind,
      entries: [makeEntry('tomorrow', '2025-01-07T00:00:00Z')],
      start: NOW,
    });
    await expect(fixture!.broadcasting.broadcastNow({ kind: 'manual' })).rejects.toThrow(
      BroadcastError,
    );
    await expect(
      fixture!.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['tomorrow'] }),
    ).rejects.toThrow(expect.objectContaining({ code: 'not-published' }));
  });

  it('sends to subscribers whose topics match an entry, and to those with no topics', async () => {
    fixture = await makeFixture({
      kind,
      entries: [makeEntry('dialogue-news', '2025-01-01T00:00:00Z', ['Dialogue'])],
      start: NOW,
    });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.subscribe('api', ['everything']);
    await fixture.subscribe('api', ['dialogue-fan'], ['dialogue']);
    await fixture.subscribe('api', ['events-fan'], ['events']);

    const broadcast = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();

    expect(api.seen().toSorted()).toEqual(['dialogue-fan', 'everything']);
    expect((await fixture.broadcasting.store.get(broadcast.id))!.counts).toMatchObject({
      total: 2,
      filtered: 1,
    });
  });

  it('previews to one user only, outside quota, without using up the entries', async () => {
    fixture = await makeFixture({
      kind,
      entries: OLD_ENTRIES,
      start: NOW,
      accountType: 'subscription',
    });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.subscribe('api', users('a', 5));
    // The editor is known on the channel, though not subscribed: previews still reach them.
    await fixture.subscribers.save('api', 'editor', { state: 'unsubscribed' }, fixture.clock.now());

    const preview = await fixture.broadcasting.broadcastNow({ kind: 'preview', user: 'editor' });
    await fixture.broadcasting.dispatcher.drain();
    expect(api.seen()).toEqual(['editor']);
    expect(preview.entryIds).toHaveLength(MAX_ARTICLES);

    const real = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(real.entryIds).toEqual(preview.entryIds);
    expect(real.counts.total).toBe(5);
  });

  it('answers a dry run with who would receive what, and writes nothing', async () => {
    fixture = await makeFixture({ kind, entries: OLD_ENTRIES, start: NOW });
    await fixture.subscribe('api', users('a', 3));
    await fixture.subscribe('wechat', users('w', 2));

    const dry = await fixture.broadcasting.dryRun({ kind: 'manual' });
    expect(dry).toMatchObject({ recipients: 5, byChannel: { api: 3, wechat: 2 }, filtered: 0 });
    expect(dry.sample).toContainEqual({ channel: 'wechat', userId: 'w1' });
    expect(await fixture.broadcasting.store.list({ limit: 10 })).toEqual([]);
    expect((await fixture.broadcasting.broadcastNow({ kind: 'manual' })).entryIds).toEqual(
      dry.entryIds,
    );
  });

  it('cancels pending deliveries, and a broadcast cancelled before sending frees its entries and quota', async () => {
    fixture = await makeFixture({
      kind,
      entries: OLD_ENTRIES,
      start: NOW,
      accountType: 'subscription',
    });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.subscribe('api', users('a', 10));

    const broadcast = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    const cancelled = await fixture.broadcasting.cancel(broadcast.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', counts: { cancelled: 10, pending: 0 } });
    await fixture.broadcasting.dispatcher.drain();
    expect(api.calls).toEqual([]);

    const again = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(again.entryIds).toEqual(broadcast.entryIds);
    await expect(fixture!.broadcasting.cancel(9999)).rejects.toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
  });
});
