import { describe, expect, it } from 'vitest';
import { entriesOf, entrySetFor, parseTopics } from '../../src/broadcast/topic-sets.ts';
import { makeEntry } from '../helpers/broadcast-fixture.ts';

const DATE = '2025-01-05T00:00:00Z';
const ENTRIES = [
  makeEntry('guide', DATE, ['Guides']),
  makeEntry('news', DATE, ['news']),
  makeEntry('plain', DATE),
];
const ALL = 0;
const GUIDE = 0b001;
const NEWS = 0b010;

describe('entry sets', () => {
  it.each([
    ['nothing followed: every entry', [], ALL],
    ['one topic', ['guides'], GUIDE],
    ['a topic in another case', ['NEWS'], NEWS],
    ['two topics', ['guides', 'news'], GUIDE | NEWS],
    ['a topic no entry has', ['cooking'], undefined],
    ['constructor as a topic', ['constructor'], undefined],
    ['__proto__ as a topic', ['__proto__'], undefined],
    ['toString as a topic', ['toString'], undefined],
  ] as const)('gives a subscriber following %s the right entries', (_, topics, expected) => {
    expect(entrySetFor(topics, ENTRIES)).toBe(expected);
  });

  it('names a set that holds every entry 0, the broadcast’s own reply', () => {
    const entries = [makeEntry('a', DATE, ['x']), makeEntry('b', DATE, ['x', 'y'])];
    expect(entrySetFor(['x'], entries)).toBe(ALL);
    expect(entriesOf(ALL, entries)).toEqual(entries);
  });

  it('lists the entries of a set in the broadcast’s order', () => {
    expect(entriesOf(GUIDE | NEWS, ENTRIES).map((e) => e.id)).toEqual(['guide', 'news']);
  });

  it('reads a stored topic list that is not a list of strings as following nothing', () => {
    expect(parseTopics('["guides", 3, null]')).toEqual(['guides']);
    for (const bad of ['not json', '{"__proto__": 1}', '"guides"', 'null'])
      expect(parseTopics(bad)).toEqual([]);
  });
});
