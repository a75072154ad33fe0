import { zonedTimeToInstant } from '../time/time-zone.ts';

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|([+-])(\d{2}):(\d{2}))?)?$/;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Why a date cannot be used; the message is said to the operator as it is. */
export class DateProblem extends Error {
  override name = 'DateProblem';
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The instant of an entry's `date`: ISO 8601, a day (`2021-01-18`, midnight), a time
 * (`2021-01-18T09:00`, seconds and milliseconds optional), and an offset (`Z`, `+08:00`).
 * Without an offset the time is a wall-clock time in `timeZone`. Every field is checked
 * against the calendar: `Date` would roll `2021-02-30` over to 2 March and take hour 24,
 * so an impossible date is refused here with the field at fault.
 */
export function parseEntryDate(text: string, timeZone: string): Date {
  const m = ISO_DATE.exec(text);
  if (!m) {
    throw new DateProblem(
      `"${text.slice(0, 40)}" is not an ISO 8601 date, e.g. 2021-01-18 or 2021-01-18T09:00:00+08:00`,
    );
  }
  const [year, month, day, hour = 0, minute = 0, second = 0] = [1, 2, 3, 4, 5, 6].map((i) =>
    m[i] === undefined ? undefined : Number(m[i]),
  ) as [number, number, number, number?, number?, number?];
  if (year === 0) throw new DateProblem('year 0000 does not exist; years start at 0001');
  if (month < 1 || month > 12)
    throw new DateProblem(`month ${m[2]} does not exist; months are 01 to 12`);
  const days = daysIn(year, month);
  if (day < 1 || day > days)
    throw new DateProblem(`${MONTHS[month - 1]} ${year} has days 01 to ${days}, not ${m[3]}`);
  if (hour > 23) throw new DateProblem(`hour ${m[4]} does not exist; hours are 00 to 23`);
  if (minute > 59) throw new DateProblem(`minute ${m[5]} does not exist; minutes are 00 to 59`);
  if (second > 59) throw new DateProblem(`second ${m[6]} does not exist; seconds are 00 to 59`);
  const [zone, sign, offsetHours, offsetMinutes] = [m[8], m[9], m[10], m[11]];
  if (sign && (Number(offsetHours) > 14 || Number(offsetMinutes) > 59)) {
    throw new DateProblem(`offset ${zone} does not exist; offsets run from -12:00 to +14:00`);
  }
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const wallClock = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${m[7] ?? ''}`;
  if (!zone) return zonedTimeToInstant(wallClock, timeZone);
  const instant = new Date(`${wallClock}${zone}`);
  if (Number.isNaN(instant.getTime())) throw new DateProblem(`"${text}" is not a real date`);
  return instant;
}
