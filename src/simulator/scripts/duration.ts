/** A span of virtual time as scripts write it: a whole number and a unit, `90s`, `25h`, `2d`. */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,6})\s*([smhd])$/;
/** A year: a script that waits longer is a typo, not a test. */
const MAX_DURATION_MS = 366 * UNIT_MS.d;

/** Milliseconds of `text`, or undefined when it is not a duration a script may use. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** The shortest exact spelling of `ms` in the largest unit that divides it (whole seconds). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1_000));
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
