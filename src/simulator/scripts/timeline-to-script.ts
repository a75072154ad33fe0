import { Document, isMap, isSeq } from 'yaml';
import { formatDuration } from './duration.ts';
import { readTimelineItem, type Shown, type TimelineEntry } from './timeline-items.ts';

/** A pause shorter than this is a person typing, not a wait worth replaying. */
const MIN_WAIT_MS = 60_000;

type Json = Record<string, unknown>;
type AccountEntry = Extract<TimelineEntry, { side: 'account' }>;

/**
 * A user's timeline as a conversation script: what they did becomes steps, what they saw
 * becomes expectations (the exact texts and titles), pauses of virtual time become waits
 * and messages outside an exchange become pushes. So a session clicked through by hand
 * replays as a regression test. Pure: the items in, the YAML text out.
 */
export function timelineToScript(
  items: unknown[],
  { name = 'a recorded conversation', user = 'user' }: { name?: string; user?: string } = {},
): string {
  const entries = items
    .map(readTimelineItem)
    .filter((e): e is TimelineEntry => e !== undefined)
    .sort((a, b) => Number(a.id) - Number(b.id) || Date.parse(a.at) - Date.parse(b.at));
  const steps: Json[] = [];
  let last: string | undefined;
  for (const [i, entry] of entries.entries()) {
    const gap = last === undefined ? 0 : Date.parse(entry.at) - Date.parse(last);
    last = entry.at;
    if (gap >= MIN_WAIT_MS) steps.push({ wait: formatDuration(gap) });
    if (entry.side === 'user') {
      const step = actStep(user, entry.action, exchangeOf(entries, i + 1));
      if (step) steps.push(step);
    } else if (entry.side === 'account' && !isInExchange(entries, i)) {
      const push = expectationOf(entry.message);
      if (push) steps.push({ expect: { user, push } });
    }
  }
  return toYaml({ name, users: [user], steps });
}

/** The entries that answered one action: everything up to the next action or pause. */
function exchangeOf(entries: TimelineEntry[], from: number): TimelineEntry[] {
  const answer: TimelineEntry[] = [];
  for (let i = from; i < entries.length && isInExchange(entries, i); i += 1) {
    const entry = entries[i];
    if (entry) answer.push(entry);
  }
  return answer;
}

/** Whether the entry answers the action before it (not a push after a pause or a wait). */
function isInExchange(entries: TimelineEntry[], index: number): boolean {
  const entry = entries[index];
  if (!entry || entry.side === 'user') return false;
  if (entry.side === 'account' && (entry.delivery === 'mass' || entry.delivery === 'preview'))
    return false;
  for (let i = index - 1; i >= 0; i -= 1) {
    const before = entries[i];
    if (!before) break;
    if (Date.parse(entry.at) - Date.parse(before.at) >= MIN_WAIT_MS) return false;
    if (before.side === 'user') return true;
  }
  return false;
}

function actStep(user: string, action: Json, answer: TimelineEntry[]): Json | undefined {
  const act = scriptAction(action);
  if (!act) return undefined;
  const step: Json = { [user]: act };
  const reply = answer.find(
    (e): e is AccountEntry => e.side === 'account' && e.delivery === 'reply',
  );
  const dropped = answer.find((e) => e.side === 'error' && e.problem === 'dropped');
  const failed = answer.find((e) => e.side === 'error' && e.problem === 'unavailable');
  const replyExpectation = reply ? expectationOf(reply.message) : 'none';
  if (replyExpectation) step.reply = replyExpectation;
  const followups = answer
    .filter((e): e is AccountEntry => e.side === 'account' && e.delivery === 'custom')
    .map((e) => expectationOf(e.message));
  if (followups.length > 0 && followups.every(Boolean)) step.followups = followups;
  if (dropped?.side === 'error') step.error = { dropped: dropped.text };
  else if (failed) step.error = 'unavailable';
  return step;
}

/** The script's action for the simulator's action body; undefined for one scripts lack. */
function scriptAction(action: Json): Json | string | undefined {
  const spoilt = typeof action.break === 'string' ? { break: action.break } : {};
  const bare = (word: string) =>
    Object.keys(spoilt).length > 0 ? { [word]: null, ...spoilt } : word;
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.filter((k) => action[k] !== undefined).map((k) => [k, action[k]]));
  switch (action.type) {
    case 'follow':
      return typeof action.scene === 'string'
        ? { follow: { scene: action.scene }, ...spoilt }
        : bare('follow');
    case 'unfollow':
      return 'unfollow';
    case 'text':
      return { say: action.text, ...spoilt };
    case 'click':
      return { click: action.key, ...spoilt };
    case 'view':
      return { view: action.url, ...spoilt };
    case 'scan':
      return { scan: action.scene, ...spoilt };
    case 'image':
      return { image: action.picUrl, ...spoilt };
    case 'voice':
      return { voice: pick('recognition', 'format'), ...spoilt };
    case 'location':
      return { location: pick('x', 'y', 'scale', 'label'), ...spoilt };
    case 'link':
      return { link: pick('title', 'description', 'url'), ...spoilt };
    default:
      return undefined;
  }
}

/** Exactly what was shown; a kind of message scripts cannot describe is left unchecked. */
function expectationOf(shown: Shown): Json | undefined {
  if (shown.type === 'text') return { text: shown.text };
  if (shown.type === 'other' || shown.articles.length === 0) return undefined;
  return { articles: shown.articles.length, titles: shown.articles.map((a) => a.title) };
}

/** Block style for the script and its steps, flow style inside a step: one line per part. */
function toYaml(script: Json): string {
  const doc = new Document(script);
  const steps = doc.get('steps');
  if (isSeq(steps))
    for (const step of steps.items)
      if (isMap(step))
        for (const pair of step.items)
          if (isMap(pair.value) || isSeq(pair.value)) pair.value.flow = true;
  return doc.toString({ lineWidth: 0 });
}
