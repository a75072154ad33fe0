import type { z } from 'zod';

/** zod's own messages ("Invalid input: expected string, received undefined") speak to programmers. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized key)/;

const EXPECTED = new Map([
  ['string', 'text'],
  ['number', 'a number'],
  ['int', 'a whole number'],
  ['boolean', 'true or false'],
  ['array', 'a list'],
  ['object', 'a mapping (key: value)'],
]);

/**
 * A validation problem of a content file in words an operator can act on: the field, what
 * was expected and what was found (`keywords item 1: must be text or {keyword, match}; found
 * a number (5)`). `data` is the value that was validated, to say what was found.
 */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const branch = issue.code === 'invalid_union' ? matchingBranch(issue) : undefined;
  // A value of the right shape for one form of a union: say what is wrong inside that form.
  if (branch) return describeIssue({ ...branch, path: [...path, ...branch.path] }, data);
  const field = fieldName(path);
  const found = describeValue(valueAt(data, path));
  const message = ZOD_DEFAULT.test(issue.message) ? defaultMessage(issue) : issue.message;
  // Our own messages may name their field ("keywords must be a list"): name it once.
  const last = path.at(-1);
  const expected =
    typeof last === 'string' && message.startsWith(`${last} `)
      ? message.slice(last.length + 1)
      : message;
  const foundPart = issue.code === 'unrecognized_keys' ? '' : `; found ${found}`;
  return `${field ? `${field}: ` : ''}${expected}${foundPart}`;
}

/** The first problem of the union's form that has the value's type, if only one form fails inside. */
function matchingBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue | undefined {
  if (!ZOD_DEFAULT.test(issue.message)) return undefined;
  const inside = issue.errors.filter(
    (errors) => errors[0] && !(errors[0].code === 'invalid_type' && errors[0].path.length === 0),
  );
  return inside.length === 1 ? inside[0]![0] : undefined;
}

function defaultMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${EXPECTED.get(issue.expected) ?? issue.expected}`;
    case 'invalid_union': {
      const types = issue.errors.flatMap((errors) =>
        errors[0]?.code === 'invalid_type' && errors[0].path.length === 0
          ? [EXPECTED.get(errors[0].expected) ?? errors[0].expected]
          : [],
      );
      return types.length ? `must be ${types.join(' or ')}` : 'is not one of the accepted forms';
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'too_small':
      return `must have at least ${String(issue.minimum)} ${unit(issue.origin)}`;
    case 'too_big':
      return `must have at most ${String(issue.maximum)} ${unit(issue.origin)}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

const unit = (origin: string) =>
  origin === 'string' ? 'characters' : origin === 'array' ? 'items' : '';

/** `rules item 2, keywords item 1`: list positions counted from 1, as people count. */
export function fieldName(path: (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `item ${part + 1}` : i ? `, ${part}` : part))
    .join(' ')
    .replace(/ ,/g, ',');
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** What a value is, shortly: `nothing`, `a number (5)`, `text "abc"`, `a list of 3`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return value.length > 40 ? `text of ${value.length} characters` : `text "${value}"`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
