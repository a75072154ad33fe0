import { z } from 'zod';

/**
 * Query parameters are text: each number is read from digits only (no `1e3`, `0x10`,
 * spaces or signs that `Number()` would take) and bounded, so what reaches a store is a
 * whole number in the range its column holds. A repeated parameter is refused too.
 */
const digits = (max: number, what: string) =>
  z
    .string({ error: `must be given once, as ${what}` })
    .regex(/^\d{1,15}$/, `must be ${what}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be ${what}`);

/** `limit`: 1 to 100, 20 when absent. */
export const pageLimit = digits(100, '1 to 100').default(20);

/** `before`: a row id from a previous page's `next`. */
export const idCursor = digits(
  Number.MAX_SAFE_INTEGER,
  'a whole number from 1 (the previous page\'s "next")',
).optional();
