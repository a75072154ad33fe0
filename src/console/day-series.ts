import { wallClock, zonedTimeToInstant } from '../time/time-zone.ts';

/** Counts per local day, oldest first: what a "per day" chart draws. */
export interface DaySeries {
  /** `YYYY-MM-DD` in the zone the series was folded in. */
  days: string[];
  values: number[];
}

const DAY_MS = 86_400_000;

/** The last `count` local dates in `timeZone` up to the one of `now`, oldest first. */
export function lastDays(now: Date, timeZone: string, count: number): string[] {
  const today = Date.parse(`${wallClock(now, timeZone).slice(0, 10)}T12:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/** The instant the local day `day` begins in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  return zonedTimeToInstant(`${day}T00:00:00`, timeZone);
}

/**
 * Adds counts taken at instants (a quarter hour's start) into the local days they fall
 * on; counts outside `days` are left out.
 */
export function foldIntoDays(
  counts: { start: number; count: number }[],
  days: string[],
  timeZone: string,
): DaySeries {
  const index = new Map(days.map((day, i) => [day, i]));
  const values = days.map(() => 0);
  for (const { start, count } of counts) {
    const i = index.get(wallClock(new Date(start), timeZone).slice(0, 10));
    if (i !== undefined) values[i]! += count;
  }
  return { days, values };
}
