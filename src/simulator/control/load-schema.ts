import { z } from 'zod';
import { OPENID_PATTERN } from '../users/population.ts';

/** A load run's bounds: users, conversations under way at once, seconds, conversations. */
export const MAX_LOAD_USERS = 10_000;
export const MAX_LOAD_CONCURRENCY = 256;
export const MAX_LOAD_SECONDS = 300;
export const MAX_LOAD_CONVERSATIONS = 1_000_000;
export const MAX_LOAD_TEXTS = 100;
/** A list of 10,000 OpenIDs is about 310 KB of JSON. */
export const MAX_LOAD_BODY = '512kb';
const DEFAULT_CONCURRENCY = 16;

/** A user's text, as the action `text` takes it. */
const text = z
  .string({ error: 'text is a string or a list of strings' })
  .min(1, 'text must not be empty')
  .max(2048, 'text is at most 2,048 characters');

/** The body of `POST /sim/api/load`. */
export const loadSchema = z
  .strictObject({
    users: z.union(
      [
        z
          .number()
          .int('users is a whole number')
          .min(1, 'users is at least 1')
          .max(MAX_LOAD_USERS, `users is at most ${MAX_LOAD_USERS}`),
        z
          .array(z.string().regex(OPENID_PATTERN, 'is not an OpenID (o and 27 characters)'))
          .min(1, 'users must not be an empty list')
          .max(MAX_LOAD_USERS, `users lists at most ${MAX_LOAD_USERS} OpenIDs`),
      ],
      { error: 'users is a number (the first N followers) or a list of OpenIDs' },
    ),
    text: z.union([
      text,
      z
        .array(text)
        .min(1, 'text must not be an empty list')
        .max(MAX_LOAD_TEXTS, `text lists at most ${MAX_LOAD_TEXTS} texts`),
    ]),
    conversations: z
      .number()
      .int('conversations is a whole number')
      .min(1, 'conversations is at least 1')
      .max(MAX_LOAD_CONVERSATIONS, `conversations is at most ${MAX_LOAD_CONVERSATIONS}`)
      .optional(),
    seconds: z
      .number()
      .int('seconds is a whole number')
      .min(1, 'seconds is at least 1')
      .max(MAX_LOAD_SECONDS, `seconds is at most ${MAX_LOAD_SECONDS}`)
      .optional(),
    concurrency: z
      .number()
      .int('concurrency is a whole number')
      .min(1, 'concurrency is at least 1')
      .max(MAX_LOAD_CONCURRENCY, `concurrency is at most ${MAX_LOAD_CONCURRENCY}`)
      .default(DEFAULT_CONCURRENCY),
    /** Answer at once (202) rather than when the load is over. */
    detach: z.boolean().default(false),
  })
  .refine((b) => (b.conversations === undefined) !== (b.seconds === undefined), {
    error: 'send conversations (how many) or seconds (how long), one of the two',
  })
  .refine((b) => !Array.isArray(b.users) || new Set(b.users).size === b.users.length, {
    error: 'users lists an OpenID more than once',
  });

export type LoadBody = z.output<typeof loadSchema>;
