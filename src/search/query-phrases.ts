import type { QueryGroup } from '../text/tokenize.ts';

/** What FTS5's unicode61 tokenizer keeps as one token. */
export const FTS_TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

/** Words a query is cut to: a longer message is a paste, not a question. */
const MAX_QUERY_WORDS = 16;

/** A phrase of a query: index terms (as the tokenizer cuts them) that must occur in a row. */
export type Phrase = string[];

/**
 * The query's phrases that carry meaning. A stop word ("this", "how", "的") is left out,
 * unless an entry lists it among its keywords: the operator's keywords say which words
 * mean something in this archive ("world" is on the stop list, "better world" a keyword).
 * `inKeywords` asks the index whether some entry's keywords hold the phrase.
 */
export async function meaningfulPhrases(
  groups: QueryGroup[],
  inKeywords: (phrase: Phrase) => Promise<boolean>,
): Promise<Phrase[]> {
  const phrases = new Map<string, Phrase>();
  // Stop words are dropped before the query is cut to its first words, so a long
  // question keeps its meaningful words; at most a few keyword look-ups are made.
  for (const group of groups.slice(0, MAX_QUERY_WORDS * 4)) {
    if (phrases.size >= MAX_QUERY_WORDS) break;
    const terms = group.terms.flatMap((term) => term.match(FTS_TOKEN) ?? []);
    if (terms.length === 0) continue;
    const key = terms.join(' ');
    if (phrases.has(key)) continue;
    if (group.stop && !(await inKeywords(terms))) continue;
    phrases.set(key, terms);
  }
  return [...phrases.values()];
}

/**
 * The relevance floor: an entry is shown only if it has every meaningful word of a short
 * query (one or two words), or all but one of a longer one. A card that shares one word with
 * a question ("parties" in "how do parties talk") is noise, and noise is worse than the
 * default reply, which also tells the editors what was asked. One word may miss in longer
 * questions, as people add words an entry need not have (Lucene's minimum-should-match, at
 * n-1). Returned as alternatives, each a list of phrases that must all occur.
 */
export function minimumMatch<P>(phrases: P[]): P[][] {
  if (phrases.length <= 2) return [phrases];
  return phrases.map((_, skip) => phrases.filter((__, i) => i !== skip));
}

/**
 * Field weights, in the order of importance: a word in the title counts most, then the
 * summary, the keywords, the body.
 */
export const FIELD_WEIGHTS = { title: 10, summary: 6, keywords: 4, body: 1 } as const;
