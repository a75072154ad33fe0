import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CronError, cronTimes } from '../../src/time/cron-times.ts';
import { parseSchedules } from '../../src/broadcast/scheduler.ts';
import { DATABASES } from '../helpers/postgres.ts';
import { makeEntry, makeFixture, type Fixture } from '../helpers/broadcast-fixture.ts';

const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;

let fixture: Fixture | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await fixture?.close();
  fixture = undefined;
});

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('schedules', () => {
  it('reads several cron expressions separated by semicolons and names a bad one', () => {
    const schedules = parseSchedules('0 9 * * *; 30 18 * * 1-5', 'Asia/Shanghai');
    expect(schedules.map((s) => s.times.expression)).toEqual(['0 9 * * *', '30 18 * * 1-5']);
    expect(() => parseSchedules('0 9 * * *; 0 25 * * *', 'Asia/Shanghai')).toThrow(CronError);
    expect(() => parseSchedules('0 25 * * *', 'Asia/Shanghai')).toThrow(/0 25 \* \* \*/);
  });

  it('keeps 09:00 in Berlin across the March and October DST changes', () => {
    const times = cronTimes('0 9 * * *', BERLIN);
    expect(iso(times.next(new Date('2025-03-29T12:00:00Z'), 2))).toEqual([
      '2025-03-30T07:00:00.000Z', // first day of summer time: UTC+2
      '2025-03-31T07:00:00.000Z',
    ]);
    expect(iso(times.next(new Date('2025-10-25T12:00:00Z'), 2))).toEqual([
      '2025-10-26T08:00:00.000Z', // back to UTC+1
      '2025-10-27T08:00:00.000Z',
    ]);
  });

  it('skips 02:30 on the day it does not exist in Berlin and fires it once on the day it occurs twice', () => {
    const times = cronTimes('30 2 * * *', BERLIN);
    expect(iso(times.next(new Date('2025-03-29T00:00:00Z'), 2))).toEqual([
      '2025-03-29T01:30:00.000Z',
      '2025-03-31T00:30:00.000Z',
    ]);
    const october = times.next(new Date('2025-10-25T12:00:00Z'), 2);
    expect(october).toHaveLength(2);
    expect(october[1]!.getTime() - october[0]!.getTime()).toBeGreaterThanOrEqual(24 * HOUR);
  });

  it('agrees with node-cron’s own next runs across the DST change', () => {
    const EXPRESSION = '15 */4 * * *';
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-03-29T20:00:00Z') });
    const task = cron.createTask(EXPRESSION, () => undefined, { timezone: BERLIN });
    expect(iso(cronTimes(EXPRESSION, BERLIN).next(new Date(), 10))).toEqual(
      iso(task.getNextRuns(10)),
    );
  });
});

describe.each(DATABASES)('the scheduler (%s)', (kind) => {
  const ENTRIES = [
    makeEntry('first', '2025-01-01T00:00:00Z'),
    makeEntry('second', '2025-01-02T00:00:00Z'),
  ];

  it('fires a tick once at its time and records it, with or without anything to send', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: '2025-01-06T00:00:00Z',
      cron: '0 9 * * *',
    });
    await fixture.subscribe('api', ['alice']);
    const { scheduler, store } = fixture.broadcasting;
    expect(await scheduler.runDue()).toEqual([]); // first start: counts from now
    fixture.clock.set('2025-01-06T01:00:00Z'); // 09:00 in Shanghai
    const [fired] = await scheduler.runDue();
    expect(fired).toMatchObject({
      kind: 'scheduled',
      status: 'sending',
      entryIds: ['second', 'first'],
    });
    expect(await scheduler.runDue()).toEqual([]);

    fixture.clock.set('2025-01-07T01:00:05Z');
    expect(await scheduler.runDue()).toMatchObject([{ status: 'empty' }]);
    expect((await store.list({ limit: 10 })).map((b) => b.status)).toEqual(['empty', 'sending']);
  });

  it('catches up a tick missed while down once, not once per missed tick', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: '2025-01-06T00:00:00Z',
      cron: '0 * * * *',
    });
    const { scheduler, store } = fixture.broadcasting;
    await scheduler.runDue();
    fixture.clock.set('2025-01-06T05:30:00Z'); // five hourly ticks missed
    expect(await scheduler.runDue()).toMatchObject([{ tickAt: new Date('2025-01-06T05:00:00Z') }]);
    expect(await scheduler.runDue()).toEqual([]);
    expect(await store.list({ limit: 10 })).toHaveLength(1);
  });

  it('records a tick missed beyond the catch-up window and does not send it', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: '2025-01-06T00:00:00Z',
      cron: '0 9 * * *',
    });
    const { scheduler, store } = fixture.broadcasting;
    await scheduler.runDue();
    fixture.clock.set('2025-01-06T08:00:00Z'); // 16:00 in Shanghai: 7 hours after 09:00
    expect(await scheduler.runDue()).toEqual([]);
    expect(await store.list({ limit: 10 })).toMatchObject([{ status: 'missed', entryIds: [] }]);
    fixture.clock.set('2025-01-07T01:00:00Z');
    expect(await scheduler.runDue()).toMatchObject([
      { status: 'done', entryIds: ['second', 'first'] },
    ]);
  });

  it('lists each schedule’s next fire times from the clock', async () => {
    fixture = await makeFixture({
      kind,
      start: '2025-01-06T00:00:00Z',
      cron: '0 9 * * *; 0 18 * * 5',
    });
    const [daily, weekly] = fixture.broadcasting.scheduler.upcoming(10);
    expect(daily!.next).toHaveLength(10);
    expect(daily!.next[0]).toEqual(new Date('2025-01-06T01:00:00Z'));
    expect(weekly!.next[0]).toEqual(new Date('2025-01-10T10:00:00Z'));
  });
});
