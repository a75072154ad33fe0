import { z } from 'zod';
import { MAX_POPULATION } from '../users/users.ts';

const nickname = z.string().trim().min(1, 'nickname must not be empty').max(64);

export const createUsersSchema = z.union(
  [
    z.strictObject({
      nickname,
      language: z
        .string()
        .regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'language is like zh_CN or en')
        .optional(),
      tags: z.array(z.string().trim().min(1).max(30)).max(20).optional(),
    }),
    z.strictObject({
      count: z.number().int().min(1).max(MAX_POPULATION, `count is at most ${MAX_POPULATION}`),
      seed: z.string().min(1).max(64),
    }),
  ],
  { error: 'send {"nickname": ...} for one user or {"count": N, "seed": S} for a population' },
);

const DURATION = /^(\d{1,9})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `36h` in ms, or undefined when it is not a whole number of s, m, h or d. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const clockSchema = z.union(
  [
    z.strictObject({
      advance: z
        .string()
        .refine(
          (t) => (durationMs(t) ?? 0) > 0,
          'advance is a positive duration like 90s, 15m, 36h or 2d',
        ),
    }),
    z.strictObject({ to: z.iso.datetime({ offset: true, error: 'to is an ISO 8601 time' }) }),
  ],
  { error: 'send {"advance": "36h"} (units s m h d) or {"to": "<ISO time>"}' },
);

export const faultSchema = z.union(
  [
    z.strictObject({
      api: z.string().min(1).max(100),
      errcode: z
        .number()
        .int()
        .refine((n) => n !== 0, 'errcode is not 0'),
      times: z.number().int().min(1).max(1000).optional(),
      after: z.number().int().min(0).max(1000).optional(),
    }),
    z.strictObject({
      callback: z.strictObject({
        delayMs: z.number().int().min(1).max(60_000),
        times: z.number().int().min(1).max(100).optional(),
      }),
    }),
  ],
  {
    error:
      'send {"api": "message/mass/send", "errcode": 45009, "times": 1, "after": 0} or {"callback": {"delayMs": 6000, "times": 3}}',
  },
);

export const pageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(64).optional(),
  before: z.coerce.number().int().min(1).optional(),
});
