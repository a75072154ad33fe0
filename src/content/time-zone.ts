/** Offset of `timeZone` from UTC at `instant`, in minutes (Asia/Shanghai: +480). */
export function zoneOffsetMinutes(timeZone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant of a wall-clock time (`YYYY-MM-DDTHH:mm:ss`, no offset) in `timeZone`. */
export function zonedTimeToInstant(wallClock: string, timeZone: string): Date {
  const naive = new Date(`${wallClock}Z`);
  // Two passes settle the offset even when the wall clock sits next to a DST change.
  let instant = new Date(naive.getTime() - zoneOffsetMinutes(timeZone, naive) * 60_000);
  instant = new Date(naive.getTime() - zoneOffsetMinutes(timeZone, instant) * 60_000);
  return instant;
}
