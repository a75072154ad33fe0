import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { forward, keyed, wordOr } from './keyed.ts';

/**
 * The parts of a conversation script, as zod schemas. A step's actor key is a user's name,
 * which no static schema knows, so `parse-script.ts` splits a step into its action and its
 * expectations before these schemas see them.
 */

const MAX_TEXT_CHARS = 2_000;
const MAX_PATTERN_CHARS = 200;
const MAX_URL_CHARS = 1_024;
/** A passive reply to an event carries at most 8 cards; a push at most 8 articles. */
const MAX_ARTICLES = 8;

export const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'must be a duration like 90s, 30m, 25h or 2d (at most a year)',
});

const pattern = z
  .string()
  .min(1)
  .max(MAX_PATTERN_CHARS)
  .refine(isRegExp, { message: 'is not a valid regular expression' });

const errcode = z
  .number()
  .int()
  .refine((code) => code !== 0, { message: 'must not be 0' });

const equalsShorthand = z
  .string()
  .max(MAX_TEXT_CHARS)
  .transform((equals) => ({ equals }));
const textMatchObject = keyed('a text match', {
  equals: z.strictObject({ equals: z.string().max(MAX_TEXT_CHARS) }),
  contains: z.strictObject({ contains: z.string().min(1).max(MAX_TEXT_CHARS) }),
  matches: z.strictObject({ matches: pattern }),
});

/** How a text is compared: the whole of it (a bare string too), a part, or a regular expression. */
export const textMatch: z.ZodType<TextMatch, unknown> = z.unknown().transform((value, ctx) => {
  const schema = typeof value === 'string' ? equalsShorthand : textMatchObject;
  return forward<TextMatch>(schema, value, ctx);
});
export type TextMatch = { equals: string } | { contains: string } | { matches: string };

const count = z.number().int().min(0).max(MAX_ARTICLES);
export const countMatch = z.union([
  count,
  z
    .strictObject({ atLeast: count.optional(), atMost: count.optional() })
    .refine((c) => c.atLeast !== undefined || c.atMost !== undefined, {
      message: 'needs atLeast or atMost',
    }),
]);
export type CountMatch = z.infer<typeof countMatch>;

/**
 * What one message on the phone should be: a text (`text` is the whole text, `contains` a
 * part, `matches` a regular expression) or article cards (`articles` counts them, `titles`
 * checks them in order).
 */
export const messageExpectation = z
  .strictObject({
    text: z.string().max(MAX_TEXT_CHARS).optional(),
    contains: z.string().min(1).max(MAX_TEXT_CHARS).optional(),
    matches: pattern.optional(),
    articles: countMatch.optional(),
    titles: z.array(textMatch).min(1).max(MAX_ARTICLES).optional(),
  })
  .superRefine((m, ctx) => {
    const textual = [m.text, m.contains, m.matches].filter((v) => v !== undefined).length;
    const cards = m.articles !== undefined || m.titles !== undefined;
    if (textual === 0 && !cards)
      ctx.addIssue({
        code: 'custom',
        message: 'says nothing to expect: give text, contains, matches, articles or titles',
      });
    if (textual > 1)
      ctx.addIssue({ code: 'custom', message: 'takes one of text, contains and matches' });
    if (textual > 0 && cards)
      ctx.addIssue({ code: 'custom', message: 'is a text or article cards, not both' });
  });
export type MessageExpectation = z.infer<typeof messageExpectation>;

/** `none`: the phone shows nothing (no answer, `success`, or an answer the platform dropped). */
export const replyExpectation = wordOr('a reply', ['none'], (w) => w, messageExpectation);
export type ReplyExpectation = z.infer<typeof replyExpectation>;

/**
 * A platform error the step should cause: a reply the platform dropped (`dropped` matches
 * the rule it broke, in words), a callback that failed every try (`unavailable`: the user
 * sees the platform's apology), or an API call of the account refused with `errcode`.
 */
export const errorExpectation = wordOr(
  'an error',
  ['unavailable'],
  (w) => w,
  keyed('an error', {
    dropped: z.strictObject({ dropped: textMatch }),
    errcode: z.strictObject({ errcode, api: z.string().min(1).max(100).optional() }),
  }),
);
export type ErrorExpectation = z.infer<typeof errorExpectation>;

/** Spoils one exchange on purpose, to see the account refuse it. */
const breakOption = z.enum(['signature', 'nonce', 'appid']);
const text = z.string().min(1).max(MAX_TEXT_CHARS);
const url = z.string().min(1).max(MAX_URL_CHARS);
const word = z.string().min(1).max(128);

const spoil = { break: breakOption.optional() };
const actionObject = keyed('an action', {
  follow: z.strictObject({
    follow: z.strictObject({ scene: word.optional() }).nullable(),
    ...spoil,
  }),
  say: z.strictObject({ say: text, ...spoil }),
  click: z.strictObject({ click: word, ...spoil }),
  view: z.strictObject({ view: url, ...spoil }),
  scan: z.strictObject({ scan: word, ...spoil }),
  image: z.strictObject({ image: url, ...spoil }),
  voice: z.strictObject({
    voice: z.strictObject({
      recognition: text.optional(),
      format: z.enum(['amr', 'speex']).optional(),
    }),
    ...spoil,
  }),
  location: z.strictObject({
    location: z.strictObject({
      x: z.number().min(-90).max(90),
      y: z.number().min(-180).max(180),
      scale: z.number().int().min(1).max(20).optional(),
      label: z.string().max(200).optional(),
    }),
    ...spoil,
  }),
  link: z.strictObject({
    link: z.strictObject({
      title: text,
      description: z.string().max(MAX_TEXT_CHARS).optional(),
      url,
    }),
    ...spoil,
  }),
});

/** What a user does: `follow` and `unfollow` alone, or one verb with its argument. */
export const action = wordOr(
  'an action',
  ['follow', 'unfollow'],
  (word): BrokenAction => ({ kind: word }),
  actionObject.transform(toAction),
);

export type Action =
  | { kind: 'follow'; scene?: string }
  | { kind: 'unfollow' }
  | { kind: 'say'; text: string }
  | { kind: 'click'; key: string }
  | { kind: 'view'; url: string }
  | { kind: 'scan'; scene: string }
  | { kind: 'image'; url: string }
  | { kind: 'voice'; recognition?: string; format?: 'amr' | 'speex' }
  | { kind: 'location'; x: number; y: number; scale?: number; label?: string }
  | { kind: 'link'; title: string; description?: string; url: string };
export type BreakOption = z.infer<typeof breakOption>;
export type BrokenAction = Action & { break?: BreakOption };

function toAction(input: z.output<typeof actionObject>): BrokenAction {
  const spoilt = input.break ? { break: input.break } : {};
  if ('follow' in input)
    return {
      kind: 'follow',
      ...(input.follow?.scene ? { scene: input.follow.scene } : {}),
      ...spoilt,
    };
  if ('say' in input) return { kind: 'say', text: input.say, ...spoilt };
  if ('click' in input) return { kind: 'click', key: input.click, ...spoilt };
  if ('view' in input) return { kind: 'view', url: input.view, ...spoilt };
  if ('scan' in input) return { kind: 'scan', scene: input.scan, ...spoilt };
  if ('image' in input) return { kind: 'image', url: input.image, ...spoilt };
  if ('voice' in input) return { kind: 'voice', ...input.voice, ...spoilt };
  if ('location' in input) return { kind: 'location', ...input.location, ...spoilt };
  return { kind: 'link', ...input.link, ...spoilt };
}

/** The keys a user's step may carry beside the action. */
export const userStepExpectations = z.strictObject({
  reply: replyExpectation.optional(),
  followups: z.array(messageExpectation).min(1).max(MAX_ARTICLES).optional(),
  error: errorExpectation.optional(),
});

export const waitStep = z.strictObject({ wait: duration });

export const expectStep = z.strictObject({
  expect: z.strictObject({
    user: z.string(),
    push: messageExpectation,
    within: duration.optional(),
  }),
});

/** Makes the platform misbehave: an API answers an errcode, or the callback is slow. */
export const faultStep = z.strictObject({
  fault: keyed('a fault', {
    api: z.strictObject({
      api: z.string().min(1).max(100),
      errcode,
      times: z.number().int().min(1).max(100).optional(),
    }),
    callback: z.strictObject({
      callback: z.strictObject({
        delayMs: z.number().int().min(1).max(60_000),
        times: z.number().int().min(1).max(10).optional(),
      }),
    }),
  }),
});

export const USER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
/** Keys a step uses for itself, so no user may be called so. */
export const RESERVED_NAMES = ['wait', 'expect', 'fault', 'reply', 'followups', 'error', 'break'];
const MAX_USERS = 20;
const MAX_STEPS = 500;

export const scriptHead = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(MAX_TEXT_CHARS).optional(),
  users: z
    .array(
      z
        .string()
        .regex(USER_NAME, 'must be a name of letters, digits, _ or - starting with a letter')
        .refine((name) => !RESERVED_NAMES.includes(name), { message: 'is a word steps use' }),
    )
    .min(1)
    .max(MAX_USERS)
    .refine((names) => new Set(names).size === names.length, { message: 'names a user twice' }),
  steps: z.array(z.unknown()).min(1).max(MAX_STEPS),
});

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
