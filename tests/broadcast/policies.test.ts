import { afterEach, describe, expect, it } from 'vitest';
import { parseQuietHours, quietUntil } from '../../src/time/quiet-hours.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { FAN_OUT_DATABASES } from '../helpers/postgres.ts';
import { makeEntry, makeFixture, type Fixture } from '../helpers/broadcast-fixture.ts';

const ENTRY_DATE = '2025-01-01T00:00:00Z';
const PER_USER_PER_MONTH = 4;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe.each(FAN_OUT_DATABASES)('quiet hours (%s)', (kind) => {
  it('reads ranges of hours in several forms and refuses nonsense', () => {
    expect(parseQuietHours('22-7')).toEqual({ start: 22 * 60, end: 7 * 60 });
    expect(parseQuietHours('22:30-6:45')).toEqual({ start: 22 * 60 + 30, end: 6 * 60 + 45 });
    expect(parseQuietHours('22点-7点')).toEqual({ start: 22 * 60, end: 7 * 60 });
    expect(parseQuietHours('13-14')).toEqual({ start: 13 * 60, end: 14 * 60 });
    for (const bad of ['25-7', '22', 'night', '7-7']) expect(parseQuietHours(bad)).toBeUndefined();
  });

  it('tells when quiet hours spanning midnight end, in the subscriber’s time zone', () => {
    const QUIET = { start: 22 * 60, end: 7 * 60 };
    // 23:00 in Berlin (winter, UTC+1): held until 07:00 Berlin the next morning.
    expect(quietUntil(new Date('2025-01-06T22:00:00Z'), 'Europe/Berlin', QUIET)).toEqual(
      new Date('2025-01-07T06:00:00Z'),
    );
    // 03:00 in Berlin: until 07:00 the same morning.
    expect(quietUntil(new Date('2025-01-07T02:00:00Z'), 'Europe/Berlin', QUIET)).toEqual(
      new Date('2025-01-07T06:00:00Z'),
    );
    expect(quietUntil(new Date('2025-01-07T12:00:00Z'), 'Europe/Berlin', QUIET)).toBeUndefined();
  });

  it('holds a delivery until the subscriber’s quiet hours end, and sends it then', async () => {
    // 23:00 in Shanghai, 16:00 in Berlin.
    fixture = await makeFixture({
      kind,
      entries: [makeEntry('news', ENTRY_DATE)],
      start: '2025-01-06T15:00:00Z',
    });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.subscribe('api', ['sleeper', 'berliner', 'owl']);
    const now = fixture.clock.now();
    await fixture.subscribers.setPreferences(
      'api',
      'sleeper',
      { quiet: { start: 22 * 60, end: 7 * 60 } },
      now,
    );
    await fixture.subscribers.setPreferences(
      'api',
      'berliner',
      { quiet: { start: 22 * 60, end: 7 * 60 }, timeZone: 'Europe/Berlin' },
      now,
    );

    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ sent: 2, held: 1 });
    expect((await fixture.broadcasting.store.get(id))?.counts).toMatchObject({
      held: 1,
      pending: 1,
    });

    fixture.clock.set('2025-01-06T22:59:00Z'); // 06:59 in Shanghai
    expect((await fixture.broadcasting.dispatcher.drain()).sent).toBe(0);
    fixture.clock.set('2025-01-06T23:00:00Z');
    expect((await fixture.broadcasting.dispatcher.drain()).sent).toBe(1);
    expect(api.seen().toSorted()).toEqual(['berliner', 'owl', 'sleeper']);
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { held: 0, sent: 3 },
    });
  });
});

describe.each(FAN_OUT_DATABASES)('quotas (%s)', (kind) => {
  it('lets a subscription account broadcast once a day: a second manual one is refused with the reason', async () => {
    fixture = await makeFixture({
      kind,
      entries: [makeEntry('one', ENTRY_DATE), makeEntry('two', '2025-01-02T00:00:00Z')],
      start: '2025-01-06T02:00:00Z',
      accountType: 'subscription',
    });
    await fixture.subscribe('api', ['alice']);
    await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['one'] });
    await expect(fixture!.broadcasting.broadcastNow({ kind: 'manual' })).rejects.toThrow(
      expect.objectContaining({ code: 'quota', message: expect.stringContaining('once a day') }),
    );
    fixture.clock.set('2025-01-06T16:00:00Z'); // midnight in Shanghai: a new day
    expect((await fixture.broadcasting.broadcastNow({ kind: 'manual' })).entryIds).toEqual(['two']);
  });

  it('records a scheduled broadcast over quota as refused, with the reason, and keeps its entries for later', async () => {
    fixture = await makeFixture({
      kind,
      entries: [makeEntry('one', ENTRY_DATE), makeEntry('two', '2025-01-02T00:00:00Z')],
      start: '2025-01-06T00:00:00Z',
      accountType: 'subscription',
      cron: '0 9 * * *',
    });
    await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['one'] });
    await fixture.broadcasting.scheduler.runDue();
    fixture.clock.set('2025-01-06T01:00:00Z');
    expect(await fixture.broadcasting.scheduler.runDue()).toMatchObject([
      { status: 'refused', reason: expect.stringContaining('subscription account') },
    ]);
    fixture.clock.set('2025-01-07T01:00:00Z');
    expect(await fixture.broadcasting.scheduler.runDue()).toMatchObject([{ entryIds: ['two'] }]);
  });

  it('sends each user of a service account at most 4 broadcasts a month', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => makeEntry(`e${i}`, ENTRY_DATE));
    fixture = await makeFixture({
      kind,
      entries,
      start: '2025-01-06T00:00:00Z',
      accountType: 'service',
    });
    await fixture.subscribe('api', ['regular']);
    for (let i = 0; i < PER_USER_PER_MONTH; i++)
      await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: [`e${i}`] });
    await fixture.subscribe('api', ['newcomer']);
    // A dry run names who is over their month's quota, and leaves nothing behind.
    expect(await fixture.broadcasting.dryRun({ kind: 'manual', entryIds: ['e4'] })).toMatchObject({
      recipients: 1,
      quota: {
        counted: true,
        accountType: 'service',
        overQuota: 1,
        overQuotaSample: [{ channel: 'api', userId: 'regular' }],
      },
    });
    expect(
      (await fixture.broadcasting.dryRun({ kind: 'preview', user: 'regular', entryIds: ['e4'] }))
        .quota,
    ).toMatchObject({ counted: false, overQuota: 0 });
    const fifth = await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['e4'] });
    expect(fifth.counts).toMatchObject({ total: 1, filtered: 1 });

    await fixture.subscribers.save(
      'api',
      'newcomer',
      { state: 'unsubscribed' },
      fixture.clock.now(),
    );
    await expect(
      fixture!.broadcasting.broadcastNow({ kind: 'manual', entryIds: ['e5'] }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'quota',
        message: expect.stringContaining('4 broadcasts this month'),
      }),
    );
  });
});

describe.each(FAN_OUT_DATABASES)('digest mode (%s)', (kind) => {
  it('sends a digest subscriber one message a day with everything broadcast since the last digest', async () => {
    fixture = await makeFixture({
      kind,
      entries: [makeEntry('morning', ENTRY_DATE)],
      start: '2025-01-06T00:00:00Z',
      cron: '0 9 * * *',
      digestCron: '0 20 * * *',
    });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(api);
    await fixture.subscribe('api', ['eager', 'digester']);
    await fixture.subscribers.setPreferences(
      'api',
      'digester',
      { digest: 'daily' },
      fixture.clock.now(),
    );
    const { scheduler, dispatcher } = fixture.broadcasting;
    await scheduler.runDue();

    fixture.clock.set('2025-01-06T01:00:00Z'); // 09:00: the broadcast
    await scheduler.runDue();
    fixture.library.add(makeEntry('noon', '2025-01-06T00:30:00Z'));
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await dispatcher.drain();
    expect(api.seen()).toEqual(['eager', 'eager']);

    fixture.clock.set('2025-01-06T12:00:00Z'); // 20:00: the digest
    const [digest] = await scheduler.runDue();
    expect(digest).toMatchObject({
      kind: 'digest',
      entryIds: ['noon', 'morning'],
      counts: { total: 1 },
    });
    await dispatcher.drain();
    expect(api.seen()).toEqual(['eager', 'eager', 'digester']);

    fixture.clock.set('2025-01-07T12:00:00Z'); // nothing new the next day
    expect(await scheduler.runDue()).toMatchObject([{ kind: 'digest', status: 'empty' }]);
  });
});
