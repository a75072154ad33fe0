import type { z } from 'zod';

/** An error with the status to answer and a message that names the problem. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** Validates with a zod schema; the first problem becomes a 400 naming the field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : what;
  throw new HttpError(400, `${field}: ${inWords(issue, valueAt(value, issue.path))}`);
}

/** zod's own wording ("Invalid input: expected string, received undefined") starts so. */
const SCHEMA_WORDING = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

/**
 * The issue's message when a schema gave one in words; zod's default wording otherwise
 * becomes a sentence a user of the API can act on. A missing field is "is required",
 * whatever its schema's message says about types.
 */
function inWords(issue: z.core.$ZodIssue, given: unknown): string {
  if (issue.code === 'invalid_type' && given === undefined) return 'is required';
  if (!SCHEMA_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field "${issue.keys[0] ?? ''}"`;
    default:
      return 'is not valid';
  }
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
