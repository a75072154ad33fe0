import type { PlatformCall } from './control-client.ts';
import { describeExpectation, describeTextMatch, matchMessage, matchText } from './matchers.ts';
import type { ErrorExpectation, MessageExpectation, ReplyExpectation } from './script-schema.ts';
import { showMessage, type TimelineEntry } from './timeline-items.ts';

/** What a check wanted and what the phone (or the platform) showed instead. */
export interface Mismatch {
  /** `reply`, `followup 2`, `error`, `push`... */
  what: string;
  expected: string;
  actual: string;
}

type AccountEntry = Extract<TimelineEntry, { side: 'account' }>;
type ErrorEntry = Extract<TimelineEntry, { side: 'error' }>;

const NOTHING = 'nothing';

/** The passive reply: `none` when the phone shows nothing (a dropped reply shows nothing). */
export function checkReply(
  expected: ReplyExpectation,
  reply: AccountEntry | undefined,
  fresh: TimelineEntry[],
): Mismatch | undefined {
  const actual = reply ? showMessage(reply.message) : withErrors(NOTHING, fresh);
  if (expected === 'none') return reply ? { what: 'reply', expected: NOTHING, actual } : undefined;
  if (reply && matchMessage(expected, reply.message)) return undefined;
  return { what: 'reply', expected: describeExpectation(expected), actual };
}

/** Customer-service messages after the reply, in order, the first ones not yet used. */
export function checkFollowups(
  expected: MessageExpectation[],
  fresh: TimelineEntry[],
  spent: Set<string>,
): Mismatch | undefined {
  const followups = fresh.filter(
    (e): e is AccountEntry => e.side === 'account' && e.delivery === 'custom',
  );
  for (const [i, want] of expected.entries()) {
    const got = followups[i];
    if (!got || !matchMessage(want, got.message))
      return {
        what: `followup ${i + 1}`,
        expected: describeExpectation(want),
        actual: got ? showMessage(got.message) : `${followups.length} followups`,
      };
  }
  followups.slice(0, expected.length).forEach((e) => spent.add(e.id));
  return undefined;
}

/** A message outside a reply (customer-service, mass, preview) matching the expectation. */
export function checkPush(
  expected: MessageExpectation,
  fresh: TimelineEntry[],
  spent: Set<string>,
): Mismatch | undefined {
  const pushes = fresh.filter(
    (e): e is AccountEntry => e.side === 'account' && e.delivery !== 'reply',
  );
  const found = pushes.find((e) => matchMessage(expected, e.message));
  if (found) {
    spent.add(found.id);
    return undefined;
  }
  const actual =
    pushes.length === 0
      ? 'no push arrived'
      : pushes.map((e) => `${e.delivery}: ${showMessage(e.message)}`).join('; ');
  return { what: 'push', expected: describeExpectation(expected), actual };
}

/** The platform error the step should cause: a dropped reply, a failed callback, an errcode. */
export async function checkError(
  expected: ErrorExpectation,
  observe: { entries(): Promise<TimelineEntry[]>; calls(): Promise<PlatformCall[]> },
): Promise<Mismatch | undefined> {
  if (typeof expected === 'object' && 'errcode' in expected) {
    const calls = await observe.calls();
    const refused = calls.filter((c) => c.errcode !== 0);
    const hit = refused.some(
      (c) => c.errcode === expected.errcode && (!expected.api || c.api === expected.api),
    );
    if (hit) return undefined;
    return {
      what: 'error',
      expected: `errcode ${expected.errcode}${expected.api ? ` from ${expected.api}` : ''}`,
      actual:
        refused.length === 0
          ? 'no API call was refused'
          : refused.map((c) => `errcode ${c.errcode} from ${c.api}`).join('; '),
    };
  }
  const errors = (await observe.entries()).filter((e): e is ErrorEntry => e.side === 'error');
  const wanted =
    expected === 'unavailable'
      ? errors.some((e) => e.problem === 'unavailable')
      : errors.some((e) => e.problem === 'dropped' && matchText(expected.dropped, e.text));
  if (wanted) return undefined;
  return {
    what: 'error',
    expected:
      expected === 'unavailable'
        ? 'the callback to fail every try'
        : `a dropped reply, the rule ${describeTextMatch(expected.dropped)}`,
    actual: errors.length === 0 ? 'no platform error' : errors.map(showError).join('; '),
  };
}

function withErrors(shown: string, fresh: TimelineEntry[]): string {
  const errors = fresh.filter((e): e is ErrorEntry => e.side === 'error');
  return errors.length === 0 ? shown : `${shown} (${errors.map(showError).join('; ')})`;
}

function showError(entry: ErrorEntry): string {
  const label = entry.problem === 'other' ? 'platform error' : entry.problem;
  return entry.text ? `${label}: ${entry.text}` : label;
}
