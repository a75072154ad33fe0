import { z } from 'zod';

/**
 * One of several object shapes, told apart by which key it has (`{say: ...}` or
 * `{click: ...}`). A plain union would answer "Invalid input" for a typo inside one shape;
 * choosing the shape by its key first gives the error of that shape, in its own words.
 */
export function keyed<T extends Record<string, z.ZodType>>(
  what: string,
  variants: T,
): z.ZodType<z.output<T[keyof T]>, unknown> {
  const names = Object.keys(variants);
  return z.unknown().transform((value, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `must be ${what}: ${list(names)}` });
      return z.NEVER;
    }
    const present = names.filter((name) => name in value);
    const [name] = present;
    if (name === undefined || present.length > 1) {
      const keys = Object.keys(value);
      const found = present.length > 1 ? `both ${list(present)}` : list(keys) || 'nothing';
      ctx.addIssue({
        code: 'custom',
        message: `must be ${what}, with one of ${list(names)} (found ${found})`,
      });
      return z.NEVER;
    }
    return forward(variants[name] as z.ZodType<z.output<T[keyof T]>>, value, ctx);
  });
}

/**
 * A bare word (`none`, `follow`) or a mapping: a string must be one of `words` (read by
 * `fromWord`); anything else is read by `schema`, whose own errors are kept.
 */
export function wordOr<W extends string, O, R>(
  what: string,
  words: readonly W[],
  fromWord: (word: W) => R,
  schema: z.ZodType<O>,
): z.ZodType<R | O, unknown> {
  return z.unknown().transform((value, ctx) => {
    if (typeof value !== 'string') return forward(schema, value, ctx);
    if ((words as readonly string[]).includes(value)) return fromWord(value as W);
    ctx.addIssue({
      code: 'custom',
      message: `must be ${what}: ${words.map((w) => `"${w}"`).join(' or ')}, or a mapping (not "${value}")`,
    });
    return z.NEVER;
  });
}

/** Parses with `schema`, reporting its issues under the current path. */
export function forward<O>(schema: z.ZodType<O>, value: unknown, ctx: z.RefinementCtx): O {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // The issue goes on as it is (its code and keys), under the current path.
  for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
  return z.NEVER;
}

function list(names: string[]): string {
  return names.join(', ');
}
