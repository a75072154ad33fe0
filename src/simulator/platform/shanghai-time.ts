/**
 * The platform counts days and months in Beijing time (UTC+8, no daylight saving): a daily
 * quota resets at midnight there, not at the caller's midnight.
 */
const OFFSET_MS = 8 * 3600_000;

/** `2026-11-23`: the day in Asia/Shanghai. */
export function shanghaiDay(now: Date): string {
  return new Date(now.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** `2026-11`: the month in Asia/Shanghai. */
export function shanghaiMonth(now: Date): string {
  return shanghaiDay(now).slice(0, 7);
}
