import cron from 'node-cron';
import { parseCronItems, type ParsedCronItem, type TimestampDigest } from 'graphile-worker';
import { CronError, cronTimes } from '../time/cron-times.ts';

/** A schedule the job engine fires: a cron expression read in a time zone. */
export interface JobSchedule {
  /** Stable across restarts and instances: graphile-worker keys its once-only record on it. */
  id: string;
  cron: string;
  timeZone: string;
}

/** The task every schedule's cron job runs; the payload says which schedule. */
export const TICK_TASK = 'oasim_tick';

/** The hourly sweep that drops the delivery partitions of long-ended broadcasts. */
export const PRUNE_TASK = 'oasim_prune';

const MINUTE_MS = 60_000;

/**
 * The sweep's cron item: once an hour across instances, at minute 17 (clear of the
 * schedules' usual full hours, when large fan-outs are written). No backfill nor retry: a
 * missed or failed sweep is the next hour's work.
 */
export function pruneCronItems(): ParsedCronItem[] {
  return parseCronItems([
    {
      task: PRUNE_TASK,
      identifier: PRUNE_TASK,
      match: '17 * * * *',
      options: { backfillPeriod: 0, maxAttempts: 1 },
    },
  ]);
}

/**
 * One graphile-worker cron item per schedule, identified by the schedule's id and backfilled
 * over `catchUpHours`. graphile-worker matches crontab patterns in UTC only, so each item's
 * `match` is a function: the minute graphile-worker considers is checked against our own
 * zone-aware fire times (node-cron's semantics, as the SQLite scheduler uses), so `0 9 * * *`
 * in Asia/Shanghai fires at 09:00 there, and a DST change is handled as on SQLite.
 */
export function scheduleCronItems(
  schedules: readonly JobSchedule[],
  {
    catchUpHours,
    maxAttempts = 5,
    now = Date.now,
  }: { catchUpHours: number; maxAttempts?: number; now?: () => number },
): ParsedCronItem[] {
  return parseCronItems(
    schedules.map((schedule) => ({
      task: TICK_TASK,
      identifier: schedule.id,
      match: zonedMatcher(schedule, now),
      payload: { schedule: schedule.id },
      options: { backfillPeriod: catchUpHours * 3_600_000, maxAttempts },
    })),
  );
}

/** Throws CronError for an expression node-cron refuses, and for one firing below the minute. */
function zonedMatcher(
  { cron: expression, timeZone }: JobSchedule,
  now: () => number,
): (d: TimestampDigest) => boolean {
  const times = cronTimes(expression, timeZone);
  const seconds = cron.parse(expression).second;
  if (seconds.length !== 1 || seconds[0] !== 0)
    throw new CronError(expression, ['the job engine fires at most once a minute, on the minute']);
  return (digest) => {
    const minute = instantOfDigest(digest, now());
    return times.latestIn(new Date(minute - MINUTE_MS), new Date(minute))?.getTime() === minute;
  };
}

/**
 * The UTC minute a digest names. A digest carries no year: the nearest to `now` is meant
 * (graphile-worker asks about the current minute, or ones within the backfill period).
 */
export function instantOfDigest(digest: TimestampDigest, now: number): number {
  const year = new Date(now).getUTCFullYear();
  const candidates = [year - 1, year, year + 1].map((y) =>
    Date.UTC(y, digest.month - 1, digest.date, digest.hour, digest.min),
  );
  return candidates.reduce((best, t) => (Math.abs(t - now) < Math.abs(best - now) ? t : best));
}

/**
 * Whether a tick has a later one of its schedule already due: after a downtime,
 * graphile-worker enqueues every missed tick within the backfill period, while the SQLite
 * scheduler fires the latest of them only ("once, not once per missed tick"). With
 * `catchUp: 'latest'` the engine skips the superseded ones, so both databases behave alike.
 */
export function supersededTicks(
  schedules: readonly JobSchedule[],
): (scheduleId: string, tickAt: Date, now: Date) => boolean {
  const times = new Map(schedules.map((s) => [s.id, cronTimes(s.cron, s.timeZone)]));
  return (scheduleId, tickAt, now) => !!times.get(scheduleId)?.latestIn(tickAt, now);
}
