const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * Building an Intl formatter costs far more than using one, and a process meets few time
 * zones: one formatter per zone, kept. `sv-SE` formats as `YYYY-MM-DD HH:mm:ss`.
 */
function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at `instant`, as `YYYY-MM-DDTHH:mm:ss`. */
export function wallClock(instant: Date, timeZone: string): string {
  return wallClockFormat(timeZone).format(instant).replace(' ', 'T');
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (Asia/Shanghai: +480). */
export function zoneOffsetMinutes(timeZone: string, instant: Date): number {
  const asUtc = Date.parse(`${wallClock(instant, timeZone)}Z`);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant of a wall-clock time (`YYYY-MM-DDTHH:mm:ss`, no offset) in `timeZone`. */
export function zonedTimeToInstant(wallClockTime: string, timeZone: string): Date {
  const naive = new Date(`${wallClockTime}Z`);
  // Two passes settle the offset even when the wall clock sits next to a DST change.
  let instant = new Date(naive.getTime() - zoneOffsetMinutes(timeZone, naive) * 60_000);
  instant = new Date(naive.getTime() - zoneOffsetMinutes(timeZone, instant) * 60_000);
  return instant;
}

/** `2025-01-06T09:00:00+08:00`: an instant as `timeZone` sees it. */
export function zonedIso(instant: Date, timeZone: string): string {
  const offset = zoneOffsetMinutes(timeZone, instant);
  const abs = Math.abs(offset);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${wallClock(instant, timeZone)}${offset < 0 ? '-' : '+'}${hhmm}`;
}

/** The canonical spelling of an IANA time zone (`europe/berlin` -> `Europe/Berlin`), or undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
