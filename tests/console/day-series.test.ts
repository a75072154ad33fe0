import { describe, expect, it } from 'vitest';
import { foldIntoDays, lastDays, startOfDay } from '../../src/console/day-series.ts';

const SHANGHAI = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';

describe('per-day series', () => {
  it('names the last days as the zone sees them, today last', () => {
    // 20:00 UTC on the 9th is already the 10th in Shanghai.
    expect(lastDays(new Date('2026-03-09T20:00:00Z'), SHANGHAI, 3)).toEqual([
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
  });

  it('starts a local day at its local midnight, across a change to summer time', () => {
    expect(startOfDay('2026-03-10', SHANGHAI).toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(startOfDay('2026-03-29', BERLIN).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDay('2026-03-30', BERLIN).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('adds counts into the local day they fall on, and leaves out the others', () => {
    const days = ['2026-03-09', '2026-03-10'];
    const counts = [
      { start: Date.parse('2026-03-09T15:45:00Z'), count: 2 }, // 23:45 on the 9th in Shanghai
      { start: Date.parse('2026-03-09T16:00:00Z'), count: 3 }, // 00:00 on the 10th
      { start: Date.parse('2026-03-10T10:00:00Z'), count: 1 },
      { start: Date.parse('2026-03-01T10:00:00Z'), count: 9 }, // before the series
    ];
    expect(foldIntoDays(counts, days, SHANGHAI)).toEqual({ days, values: [2, 4] });
  });
});
