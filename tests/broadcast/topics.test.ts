import { afterEach, describe, expect, it } from 'vitest';
import { createInboxSender } from '../../src/broadcast/inbox-sender.ts';
import type { Reply } from '../../src/engine/types.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { FAN_OUT_DATABASES } from '../helpers/postgres.ts';
import { inboxOf, makeEntry, makeFixture, type Fixture } from '../helpers/broadcast-fixture.ts';

const NOW = '2025-01-06T00:00:00Z';
// Newest first, as a broadcast orders them.
const ENTRIES = [
  makeEntry('guide', '2025-01-05T05:00:00Z', ['guides']),
  makeEntry('news', '2025-01-05T04:00:00Z', ['News']),
  makeEntry('both', '2025-01-05T03:00:00Z', ['guides', 'news']),
  makeEntry('plain', '2025-01-05T02:00:00Z'),
  makeEntry('odd', '2025-01-05T01:00:00Z', ['constructor']),
];
const ALL = ['guide', 'news', 'both', 'plain', 'odd'];
/** Who follows what, and the entries each should receive. */
const AUDIENCE: [user: string, topics: string[], expected: string[] | undefined][] = [
  ['everything', [], ALL],
  ['guide-reader', ['guides'], ['guide', 'both']],
  ['another-guide-reader', ['GUIDES'], ['guide', 'both']],
  ['news-reader', ['news'], ['news', 'both']],
  ['both-reader', ['guides', 'news'], ['guide', 'news', 'both']],
  ['odd-reader', ['constructor'], ['odd']],
  ['cook', ['cooking'], undefined],
  ['proto', ['__proto__'], undefined],
];
const GROUPS = new Set(AUDIENCE.map(([, , e]) => e?.join()).filter(Boolean)).size;
const FILTERED = AUDIENCE.filter(([, , e]) => e === undefined).length;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const idsOf = (reply: Reply) =>
  reply.type === 'articles' ? reply.articles.map((a) => a.url.split('/').pop()) : [];

describe.each(FAN_OUT_DATABASES)('topic filtering (%s)', (kind) => {
  it('sends a broadcast for one topic to its followers only, each the entries they follow', async () => {
    fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
    const sender = createFakeSender({ channel: 'api', maxBatch: 100 });
    fixture.broadcasting.register(sender);
    for (const [user, topics] of AUDIENCE) await fixture.subscribe('api', [user], topics);

    const dry = await fixture.broadcasting.dryRun({ kind: 'manual', topic: 'guides' });
    expect(dry.recipients).toBe(3);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual', topic: 'guides' });
    await fixture.broadcasting.dispatcher.drain();
    const received = new Map<string, string[]>();
    for (const call of sender.calls)
      for (const r of call.recipients) received.set(r.userId, idsOf(call.reply) as string[]);
    expect(Object.fromEntries(received)).toEqual({
      'guide-reader': ['guide', 'both'],
      'another-guide-reader': ['guide', 'both'],
      'both-reader': ['guide', 'news', 'both'],
    });
    expect((await fixture.broadcasting.store.get(id))!.counts).toMatchObject({
      total: 3,
      filtered: AUDIENCE.length - 3,
    });
  });

  it('gives each subscriber exactly the entries of the topics they follow, one send per distinct set', async () => {
    fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
    const sender = createFakeSender({ channel: 'api', maxBatch: 100 });
    fixture.broadcasting.register(sender);
    for (const [user, topics] of AUDIENCE) await fixture.subscribe('api', [user], topics);

    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();

    const received = new Map<string, string[]>();
    for (const call of sender.calls)
      for (const r of call.recipients) received.set(r.userId, idsOf(call.reply) as string[]);
    for (const [user, , expected] of AUDIENCE) expect(received.get(user)).toEqual(expected);
    expect(sender.calls).toHaveLength(GROUPS);
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      entryIds: ALL,
      counts: { total: AUDIENCE.length - FILTERED, sent: AUDIENCE.length - FILTERED },
    });
    expect((await fixture.broadcasting.store.get(id))?.counts.filtered).toBe(FILTERED);
  });

  it('never mixes two entry sets in one batch, even when one channel call could take them all', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: NOW,
      dispatch: { batchSize: 1000 },
    });
    const sender = createFakeSender({ channel: 'wechat', maxBatch: 10_000 });
    fixture.broadcasting.register(sender);
    for (const [user, topics] of AUDIENCE) await fixture.subscribe('wechat', [user], topics);
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();
    expect(sender.calls).toHaveLength(GROUPS);
    for (const call of sender.calls) {
      const expected = AUDIENCE.find(([user]) => user === call.recipients[0]!.userId)![2];
      for (const r of call.recipients)
        expect(AUDIENCE.find(([user]) => user === r.userId)![2]).toEqual(expected);
    }
  });

  it('sends nothing to a subscriber no entry is for, and counts them filtered', async () => {
    fixture = await makeFixture({ kind, entries: [ENTRIES[0]!], start: NOW });
    const sender = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(sender);
    await fixture.subscribe('api', ['cook'], ['cooking']);
    await fixture.subscribe('api', ['reader'], ['guides']);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();
    expect(sender.seen()).toEqual(['reader']);
    expect((await fixture.broadcasting.store.get(id))?.counts).toMatchObject({
      total: 1,
      filtered: 1,
    });
  });

  it('sends entries without topics only to subscribers who follow none', async () => {
    fixture = await makeFixture({ kind, entries: [ENTRIES[3]!], start: NOW });
    const sender = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(sender);
    await fixture.subscribe('api', ['everything']);
    await fixture.subscribe('api', ['guide-reader'], ['guides']);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();
    expect(sender.seen()).toEqual(['everything']);
    expect((await fixture.broadcasting.store.get(id))?.counts).toMatchObject({
      total: 1,
      filtered: 1,
    });
  });

  it('puts the subscriber’s own entries in their simulated inbox', async () => {
    fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
    fixture.broadcasting.register(
      createInboxSender(fixture.storage, 'api', { now: fixture.clock.now }),
    );
    await fixture.subscribe('api', ['everything']);
    await fixture.subscribe('api', ['guide-reader'], ['guides']);
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();
    const [own] = await inboxOf(fixture, 'api', 'guide-reader');
    expect(idsOf(own!.reply)).toEqual(['guide', 'both']);
    const [all] = await inboxOf(fixture, 'api', 'everything');
    expect(idsOf(all!.reply)).toEqual(ALL);
  });

  it('filters a digest the same way', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES.slice(0, 2),
      start: NOW,
      digestCron: '0 20 * * *',
    });
    const sender = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(sender);
    for (const [user, topics] of [
      ['guide-digest', ['guides']],
      ['cook-digest', ['cooking']],
    ] as const) {
      await fixture.subscribe('api', [user], [...topics]);
      await fixture.subscribers.setPreferences(
        'api',
        user,
        { digest: 'daily' },
        fixture.clock.now(),
      );
    }
    await fixture.broadcasting.scheduler.runDue();
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    fixture.clock.set('2025-01-06T12:00:00Z'); // 20:00 in Shanghai: the digest
    const [digest] = await fixture.broadcasting.scheduler.runDue();
    expect(digest).toMatchObject({ kind: 'digest', counts: { total: 1, filtered: 1 } });
    await fixture.broadcasting.dispatcher.drain();
    expect(sender.calls.map((c) => [c.recipients[0]!.userId, idsOf(c.reply)])).toEqual([
      ['guide-digest', ['guide']],
    ]);
  });

  it('takes constructor and __proto__ as plain names of channels in a dry run and a broadcast', async () => {
    fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
    const CHANNELS = ['constructor', '__proto__', 'api'];
    const senders = CHANNELS.map((channel) => createFakeSender({ channel }));
    for (const sender of senders) fixture.broadcasting.register(sender);
    for (const channel of CHANNELS) await fixture.subscribe(channel, ['u1', 'u2'], ['guides']);
    const dry = await fixture.broadcasting.dryRun({ kind: 'manual' });
    expect(Object.entries(dry.byChannel).sort()).toEqual(
      CHANNELS.map((channel) => [channel, 2]).sort(),
    );
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();
    for (const sender of senders) expect(sender.seen()).toEqual(['u1', 'u2']);
  });
});
