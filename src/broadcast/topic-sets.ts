import type { Entry } from '../content/entry.ts';

/** A subset of a broadcast's entries: a bit per entry, in order; 0 means all of them. */
export type EntrySet = number;

/**
 * Which of the entries a subscriber following `topics` receives: those with a topic they
 * follow, or all of them when they follow none. Undefined when nothing matches (the
 * subscriber is filtered out). Topics compare without case, as values in a Set, so a
 * topic named `constructor` or `__proto__` is a topic like any other.
 */
export function entrySetFor(
  followed: readonly string[],
  entries: readonly Entry[],
): EntrySet | undefined {
  if (followed.length === 0) return 0;
  const wanted = new Set(followed.map((topic) => topic.toLowerCase()));
  let set = 0;
  entries.forEach((entry, i) => {
    if (entry.topics.some((topic) => wanted.has(topic.toLowerCase()))) set |= 1 << i;
  });
  if (set === 0) return undefined;
  return set === allOf(entries) ? 0 : set;
}

/** The entries of a set, in the broadcast's order. */
export function entriesOf<T>(set: EntrySet, entries: readonly T[]): T[] {
  return set === 0 ? [...entries] : entries.filter((_, i) => (set & (1 << i)) !== 0);
}

const allOf = (entries: readonly unknown[]) => (1 << entries.length) - 1;

/** A topic list as stored (JSON); anything that is not a list of strings follows nothing. */
export function parseTopics(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
