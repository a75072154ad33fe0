import cron from 'node-cron';
import { wallClock, zonedTimeToInstant } from './time-zone.ts';

/** Days searched for a fire time; a valid expression fires within a few years. */
const MAX_DAYS = 366 * 5;
const DAY_MS = 86_400_000;

/** A cron expression bound to a time zone, whose fire times can be listed from any instant. */
export interface CronTimes {
  expression: string;
  timeZone: string;
  /** The first `count` fire times strictly after `after`. */
  next(after: Date, count: number): Date[];
  /** The latest fire time in (`after`, `until`], if any. */
  latestIn(after: Date, until: Date): Date | undefined;
}

/** `0 9 * * *; 0 18 * * 1-5` -> the expressions, one per `;` or line, spaces folded. */
export function splitCronList(expressions: string): string[] {
  return expressions
    .split(/[;\n]/)
    .map((expression) => expression.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/** A cron expression that node-cron refuses, with its reasons. */
export class CronError extends Error {
  constructor(
    readonly expression: string,
    readonly reasons: string[],
  ) {
    super(`"${expression}" is not a valid cron expression: ${reasons.join('; ')}`);
    this.name = 'CronError';
  }
}

/**
 * Fire times of a cron expression in a time zone, counted from any instant (the injected
 * clock). node-cron's own `getNextRuns` counts from the real `new Date()` and its matcher
 * is not exported, so candidates are enumerated here from node-cron's `parse` and each is
 * confirmed with node-cron's `match()` in the time zone: the semantics stay node-cron's.
 * As in node-cron, a wall-clock time skipped by a DST change does not fire that day, and
 * one repeated by a DST change fires once.
 */
export function cronTimes(expression: string, timeZone: string): CronTimes {
  const checked = cron.validateDetailed(expression);
  if (!checked.valid)
    throw new CronError(
      expression,
      checked.errors.map((e) => e.message),
    );
  const fields = cron.parse(expression);
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  const pad = (n: number) => String(n).padStart(2, '0');
  const sorted = (values: number[]) => values.toSorted((a, b) => a - b);
  /** Every time of day the expression names, as `HH:mm:ss`, ascending. */
  const times = sorted(fields.hour).flatMap((h) =>
    sorted(fields.minute).flatMap((m) =>
      sorted(fields.second).map((s) => `${pad(h)}:${pad(m)}:${pad(s)}`),
    ),
  );
  const localOf = (instant: Date) => wallClock(instant, timeZone);
  const dayMayMatch = (date: string) => {
    const [, month, dom] = date.split('-').map(Number);
    return (
      fields.month.includes(month!) &&
      // Tokens such as "L" are left to match(); numbers are checked here to skip whole days.
      fields.dayOfMonth.some((d) => d === dom || typeof d === 'string')
    );
  };
  const addDays = (date: string, days: number) =>
    new Date(Date.parse(`${date}T12:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  const fires = (date: string, time: string) => {
    const instant = zonedTimeToInstant(`${date}T${time}`, timeZone);
    return task.match(instant) ? instant : undefined;
  };

  return {
    expression,
    timeZone,
    next(after, count) {
      const found: Date[] = [];
      const afterLocal = localOf(after);
      const afterMs = Math.floor(after.getTime() / 1000) * 1000;
      let date = afterLocal.slice(0, 10);
      for (let i = 0; i <= MAX_DAYS && found.length < count; i++, date = addDays(date, 1)) {
        if (!dayMayMatch(date)) continue;
        for (const time of times) {
          // Like node-cron's walker: only wall-clock times later than `after`'s.
          if (`${date}T${time}` <= afterLocal) continue;
          const instant = fires(date, time);
          if (instant && instant.getTime() > afterMs) found.push(instant);
          if (found.length === count) break;
        }
      }
      return found;
    },
    latestIn(after, until) {
      const untilLocal = localOf(until);
      const stop = addDays(localOf(after).slice(0, 10), -1);
      for (let date = untilLocal.slice(0, 10); date >= stop; date = addDays(date, -1)) {
        if (!dayMayMatch(date)) continue;
        for (let t = times.length - 1; t >= 0; t--) {
          if (`${date}T${times[t]}` > untilLocal) continue;
          const instant = fires(date, times[t]!);
          if (!instant || instant > until) continue;
          return instant > after ? instant : undefined;
        }
      }
      return undefined;
    },
  };
}
