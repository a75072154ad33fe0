import { FTS_TOKEN } from './query-phrases.ts';
import { porterStem } from './porter-stem.ts';

/**
 * Longest term kept, in characters: PostgreSQL refuses a lexeme over 2047 bytes, and no
 * word is that long. Cut the same way in documents and queries, so a long token still
 * matches itself.
 */
const MAX_TERM_CHARS = 256;

/** Combining marks, which folding takes off letters (é -> e). */
const MARKS = /\p{M}+/gu;

/**
 * The terms FTS5 (`porter unicode61 remove_diacritics 2`) makes of our index text, for the
 * PostgreSQL index: split into runs of letters and digits, case folded, diacritics removed,
 * English stemmed. Documents and queries go through this same function.
 */
export function ftsTerms(text: string): string[] {
  const terms: string[] = [];
  for (const token of text.match(FTS_TOKEN) ?? []) {
    const folded = token.toLowerCase().normalize('NFD').replace(MARKS, '').normalize('NFC');
    if (folded) terms.push(porterStem(folded).slice(0, MAX_TERM_CHARS));
  }
  return terms;
}
