import { describe, expect, it } from 'vitest';
import type { TimestampDigest } from 'graphile-worker';
import {
  instantOfDigest,
  PRUNE_TASK,
  pruneCronItems,
  scheduleCronItems,
} from '../../src/jobs/cron-items.ts';

const HOUR_MS = 3_600_000;

function digestOf(iso: string): TimestampDigest {
  const t = new Date(iso);
  return {
    min: t.getUTCMinutes(),
    hour: t.getUTCHours(),
    date: t.getUTCDate(),
    month: t.getUTCMonth() + 1,
    dow: t.getUTCDay(),
  };
}

describe('schedule cron items', () => {
  it('fire at the schedule time in its own zone, which graphile-worker alone would read as UTC', () => {
    const [item] = scheduleCronItems(
      [{ id: 'morning', cron: '30 9 * * *', timeZone: 'Asia/Kolkata' }],
      { catchUpHours: 6 },
    );
    // 09:30 in Kolkata (UTC+05:30) is 04:00 UTC; both within a year of now, as in a backfill.
    const today = new Date().toISOString().slice(0, 10);
    expect(item!.match(digestOf(`${today}T04:00:00Z`))).toBe(true);
    expect(item!.match(digestOf(`${today}T09:30:00Z`))).toBe(false);
    expect(item!.identifier).toBe('morning');
    expect(item!.options.backfillPeriod).toBe(6 * HOUR_MS);
  });

  it('read a digest as the minute nearest now, across a new year', () => {
    const now = Date.parse('2027-01-01T00:10:00Z');
    expect(instantOfDigest(digestOf('2026-12-31T23:50:00Z'), now)).toBe(
      Date.parse('2026-12-31T23:50:00Z'),
    );
  });

  it('refuse an expression that fires below the minute', () => {
    expect(() =>
      scheduleCronItems([{ id: 'fast', cron: '*/5 * * * * *', timeZone: 'UTC' }], {
        catchUpHours: 0,
      }),
    ).toThrow(/once a minute/);
  });
});

describe('the retention sweep cron item', () => {
  it('runs oasim_prune once an hour, at minute 17, with no backfill', () => {
    const [item, ...rest] = pruneCronItems();
    expect(rest).toEqual([]);
    expect(item!.task).toBe(PRUNE_TASK);
    expect(PRUNE_TASK).toBe('oasim_prune');
    expect(item!.identifier).toBe('oasim_prune');
    expect(item!.options).toMatchObject({ backfillPeriod: 0, maxAttempts: 1 });
    const fires = Array.from({ length: 120 }, (_, i) =>
      new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000).toISOString(),
    ).filter((iso) => item!.match(digestOf(iso)));
    expect(fires).toEqual(['2026-03-01T00:17:00.000Z', '2026-03-01T01:17:00.000Z']);
  });
});

describe('schedule cron items across a change of daylight saving time', () => {
  const BERLIN_0230 = { id: 'night', cron: '30 2 * * *', timeZone: 'Europe/Berlin' };
  /** Every UTC minute of a day that the item matches. */
  function firesOn(day: string): string[] {
    const start = Date.parse(`${day}T00:00:00Z`);
    const [item] = scheduleCronItems([BERLIN_0230], { catchUpHours: 0, now: () => start });
    return Array.from({ length: 1440 }, (_, i) =>
      new Date(start + i * 60_000).toISOString(),
    ).filter((iso) => item!.match(digestOf(iso)));
  }

  it('skip a time the clocks jump over, and fire once at a time they repeat (as node-cron on SQLite)', () => {
    expect(firesOn('2027-03-28')).toEqual([]);
    expect(firesOn('2027-10-31')).toHaveLength(1);
    expect(firesOn('2027-06-01')).toEqual(['2027-06-01T00:30:00.000Z']);
  });
});
