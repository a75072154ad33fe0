import type { Entry } from '../content/entry.ts';
import { indexTerms } from '../text/tokenize.ts';
import { ftsTerms } from './fts-terms.ts';
import type { Phrase } from './query-phrases.ts';

/**
 * The tsvector weight of each field, in the order of their weight in the ranking (title 10,
 * summary 6, keywords 4, body 1 on SQLite): PostgreSQL has four weights, A the highest.
 */
export const FIELD_LABELS = { title: 'A', summary: 'B', keywords: 'C', body: 'D' } as const;

/** The highest position a tsvector holds (a later term is put there). */
const MAX_POSITION = 16_383;
/** Positions kept of one term (PostgreSQL's own limit is 256). */
const MAX_POSITIONS = 255;

/**
 * An entry's terms as a tsvector literal: each field's terms, as FTS5 would index them,
 * numbered on from the field before with one position left empty between fields, so that a
 * phrase never runs from one field into the next (as in FTS5, where a phrase is in one column).
 * PostgreSQL takes the literal as it is: it neither parses nor stems it again.
 */
export function entryVector(entry: Entry): { vector: string; termCount: number } {
  const positions = new Map<string, string[]>();
  let next = 1;
  let termCount = 0;
  const fields: [string, keyof typeof FIELD_LABELS][] = [
    [entry.title, 'title'],
    [entry.summary, 'summary'],
    [entry.keywords.join(' '), 'keywords'],
    [entry.body, 'body'],
  ];
  for (const [text, field] of fields) {
    for (const term of ftsTerms(indexTerms(text))) {
      const list = positions.get(term) ?? [];
      if (list.length < MAX_POSITIONS)
        list.push(`${Math.min(next, MAX_POSITION)}${FIELD_LABELS[field]}`);
      positions.set(term, list);
      next++;
      termCount++;
    }
    next++;
  }
  const vector = [...positions].map(([term, at]) => `${lexeme(term)}:${at.join(',')}`).join(' ');
  return { vector, termCount };
}

/**
 * A phrase's terms (`phraseTerms`) as a tsquery: in a row (`<->`), each limited to `labels`
 * when given (`'better':C <-> 'world':C` is "better world" among the keywords).
 */
export function phraseQuery(terms: string[], labels = ''): string {
  return terms.map((term) => `${lexeme(term)}${labels ? `:${labels}` : ''}`).join(' <-> ');
}

/** A query phrase as the index holds its terms: folded and stemmed. */
export const phraseTerms = (phrase: Phrase) => ftsTerms(phrase.join(' '));

/** A term quoted for a tsvector or tsquery literal. */
const lexeme = (term: string) => `'${term.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
