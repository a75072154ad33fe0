import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { parseDuration } from './duration.ts';
import type { Script, Step } from './script.ts';
import {
  action,
  expectStep,
  faultStep,
  scriptHead,
  userStepExpectations,
  waitStep,
} from './script-schema.ts';

/** Scripts are written by hand; a bigger file is a mistake, not a conversation. */
export const MAX_SCRIPT_BYTES = 256 * 1024;
/** Aliases would let a small file expand to a huge one. */
const MAX_ALIASES = 50;

type Path = (string | number)[];

/** A script that cannot run, with where: the file, the step (1-based) and the line. */
export class ScriptError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly step: number | undefined,
    readonly detail: string,
  ) {
    const where = [line === undefined ? file : `${file}:${line}`];
    if (step !== undefined) where.push(`step ${step}`);
    super(`${where.join(': ')}: ${detail}`);
    this.name = 'ScriptError';
  }
}

/** Reads a conversation script; throws a ScriptError naming the file, step and line. */
export function parseScript(text: string, file: string): Script {
  if (Buffer.byteLength(text) > MAX_SCRIPT_BYTES)
    throw new ScriptError(
      file,
      undefined,
      undefined,
      `is larger than ${MAX_SCRIPT_BYTES / 1024} KiB`,
    );
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: true });
  const lineAt = (offset: number) => lines.linePos(offset).line;
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem)
    throw new ScriptError(file, lineAt(problem.pos[0]), undefined, firstLine(problem.message));
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new ScriptError(
      file,
      undefined,
      undefined,
      `cannot be read: ${(error as Error).message}`,
    );
  }
  const located = (path: Path) => lineOf(doc, path, lineAt);

  const head = scriptHead.safeParse(raw);
  if (!head.success) {
    const issue = firstIssue(head.error);
    const step =
      issue.path[0] === 'steps' && typeof issue.path[1] === 'number'
        ? issue.path[1] + 1
        : undefined;
    throw new ScriptError(file, located(placeOf(issue)), step, describe(issue));
  }
  const { name, description, users, steps } = head.data;
  return {
    file,
    name,
    ...(description === undefined ? {} : { description }),
    users,
    steps: steps.map((value, i) => {
      const line = located(['steps', i]) ?? 1;
      const fail = (path: Path, detail: string): never => {
        throw new ScriptError(file, located(['steps', i, ...path]) ?? line, i + 1, detail);
      };
      return parseStep(value, { index: i + 1, line, users, fail });
    }),
  };
}

interface StepContext {
  index: number;
  line: number;
  users: string[];
  fail(path: Path, detail: string): never;
}

function parseStep(value: unknown, context: StepContext): Step {
  const { index, line, users, fail } = context;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail([], 'must be a mapping: a user with an action, wait, expect or fault');
  const keys = Object.keys(value);
  const check = <S extends z.ZodType>(
    schema: S,
    input: unknown,
    prefix: Path = [],
  ): z.output<S> => {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    const issue = firstIssue(result.error);
    return fail([...prefix, ...placeOf(issue)], describe(issue, prefix));
  };

  if ('wait' in value) {
    const { wait } = check(waitStep, value);
    return { kind: 'wait', index, line, duration: wait, ms: parseDuration(wait) ?? 0 };
  }
  if ('expect' in value) {
    const { expect } = check(expectStep, value);
    if (!users.includes(expect.user))
      fail(
        ['expect', 'user'],
        `${expect.user} is not one of the script's users (${users.join(', ')})`,
      );
    const within = expect.within && {
      duration: expect.within,
      ms: parseDuration(expect.within) ?? 0,
    };
    return {
      kind: 'expect',
      index,
      line,
      user: expect.user,
      push: expect.push,
      ...(within ? { within } : {}),
    };
  }
  if ('fault' in value) return { kind: 'fault', index, line, fault: check(faultStep, value).fault };

  const actors = keys.filter((key) => users.includes(key));
  if (actors.length !== 1) {
    const strangers = keys.filter(
      (key) => !userStepExpectations.keyof().options.includes(key as never),
    );
    const detail =
      actors.length > 1
        ? `has two users (${actors.join(', ')}); give each its own step`
        : strangers.length > 0
          ? `${strangers[0]} is not one of the script's users (${users.join(', ')}) nor a step keyword`
          : `needs a user (${users.join(', ')}), wait, expect or fault`;
    return fail([], detail);
  }
  const [user] = actors as [string];
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== user));
  const act = check(action, (value as Record<string, unknown>)[user], [user]);
  const expectations = check(userStepExpectations, rest);
  return { kind: 'act', index, line, user, action: act, ...expectations };
}

/** The line of the deepest node the path reaches. */
function lineOf(doc: Document, path: Path, lineAt: (offset: number) => number): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineAt(node.range[0]);
  }
  return undefined;
}

function firstIssue(error: z.ZodError): z.core.$ZodIssue {
  const [issue] = error.issues;
  if (!issue) throw new Error('zod failed without an issue');
  return issue;
}

/** `steps.2.reply.contains: ...` shown as `reply.contains: ...` inside a step. */
function describe(issue: z.core.$ZodIssue, prefix: Path = []): string {
  const path = [...prefix, ...keysOf(issue)];
  const shown = path[0] === 'steps' && typeof path[1] === 'number' ? path.slice(2) : path;
  const message = issue.message
    .replace(/^Unrecognized keys?: /, 'unknown key ')
    .replace(/^Invalid input: expected \w+, received undefined$/, 'is missing')
    .replace(/^Invalid input: expected (\w+), received (\w+)$/, 'must be of type $1, not $2')
    .replace(/^Too big: expected \w+ to (?:have|be) <=?/, 'must be at most ')
    .replace(/^Too small: expected \w+ to (?:have|be) >=?/, 'must be at least ')
    .replace(/^Invalid input$/, 'is not valid here');
  return shown.length > 0 ? `${shown.join('.')}: ${message}` : message;
}

function keysOf(issue: z.core.$ZodIssue): Path {
  return issue.path.filter((part): part is string | number => typeof part !== 'symbol');
}

/** Where the issue is in the file: an unknown key is on its own line. */
function placeOf(issue: z.core.$ZodIssue): Path {
  const path = keysOf(issue);
  return issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
