import { wallClock, zonedTimeToInstant } from './time-zone.ts';

/** Hours in which deliveries wait: minutes after midnight, `start` to `end` (may wrap past midnight). */
export interface QuietHours {
  start: number;
  end: number;
}

const MINUTES_PER_DAY = 24 * 60;
const CLOCK = String.raw`(\d{1,2})(?:[:：.](\d{2}))?`;
const RANGE = new RegExp(`^${CLOCK}\\s*(?:-|–|~|～|to|到|至)\\s*${CLOCK}$`, 'u');

/** Reads `22-7`, `22:30-6:45` or `22点-7点` as quiet hours; undefined when not a range of times of day. */
export function parseQuietHours(text: string): QuietHours | undefined {
  const match = RANGE.exec(text.replace(/[点時时]/gu, '').trim());
  if (!match) return undefined;
  const [, h1, m1 = '0', h2, m2 = '0'] = match;
  const start = Number(h1) * 60 + Number(m1);
  const end = Number(h2) * 60 + Number(m2);
  const valid = (h: string | undefined, m: string) => Number(h) <= 24 && Number(m) < 60;
  if (!valid(h1, m1) || !valid(h2, m2) || start > MINUTES_PER_DAY || end > MINUTES_PER_DAY)
    return undefined;
  if (start % MINUTES_PER_DAY === end % MINUTES_PER_DAY) return undefined;
  return { start: start % MINUTES_PER_DAY, end: end % MINUTES_PER_DAY };
}

/** `22:00-07:00`, for replies and the admin API. */
export function formatQuietHours({ start, end }: QuietHours): string {
  const clock = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${clock(start)}-${clock(end)}`;
}

/**
 * When a delivery at `now` must wait for quiet hours in `timeZone` to end: the end of the
 * quiet hours, or undefined when `now` is outside them.
 */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours): Date | undefined {
  const local = wallClock(now, timeZone);
  const minute = Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));
  const { start, end } = quiet;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  // Past midnight-spanning quiet hours' start, they end tomorrow.
  const endsTomorrow = start > end && minute >= start;
  const date = endsTomorrow
    ? new Date(Date.parse(`${local.slice(0, 10)}T12:00:00Z`) + 86_400_000)
        .toISOString()
        .slice(0, 10)
    : local.slice(0, 10);
  const clock = `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}:00`;
  const until = zonedTimeToInstant(`${date}T${clock}`, timeZone);
  // A DST change can make the end land at or before now; never hold longer than a day.
  return until > now ? until : undefined;
}
