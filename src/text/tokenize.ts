import { hasHan, normalizeText } from './normalize.ts';
import { isStopWord } from './stop-words.ts';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN_RUN = /\p{Script=Han}+/gu;

/**
 * Words of a text as Intl.Segmenter sees them (normalized, word-like segments only).
 * The ICU dictionary splits some common words into single characters (微信 -> 微 信),
 * so consecutive single-character Han segments are merged back into one run.
 */
export function segmentWords(text: string): string[] {
  const words: string[] = [];
  let hanRun = '';
  for (const { segment, isWordLike } of segmenter.segment(normalizeText(text))) {
    if (!isWordLike) {
      if (hanRun) words.push(hanRun);
      hanRun = '';
      continue;
    }
    if (segment.length === 1 && hasHan(segment)) {
      hanRun += segment;
      continue;
    }
    if (hanRun) words.push(hanRun);
    hanRun = '';
    words.push(segment);
  }
  if (hanRun) words.push(hanRun);
  return words;
}

/** Character bigrams of a Han run; a single character stands for itself. */
export function hanBigrams(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length < 2) return chars;
  const grams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(chars[i]! + chars[i + 1]!);
  return grams;
}

/**
 * Index text of a document field, for FTS5's unicode61 tokenizer: the text in NFKC form
 * (full-width letters become ASCII) with every run of Han characters replaced by its
 * single characters and character bigrams, space-separated. unicode61 then splits Latin
 * words and folds case and diacritics itself. Bigrams make any Chinese word findable
 * whatever a segmenter would decide (the approach of Lucene's CJK analyzer); single
 * characters serve one-character queries. This runs over every word of every entry when
 * the index is built, so it stays a couple of passes over the string.
 */
export function indexTerms(text: string): string {
  const normalized = text.normalize('NFKC');
  if (!hasHan(normalized)) return normalized;
  return normalized.replace(HAN_RUN, (run) => {
    const chars = Array.from(run);
    return ` ${chars.join(' ')} ${chars.length > 1 ? hanBigrams(run).join(' ') : ''} `;
  });
}

/** One word (or quoted phrase) of a query: the index terms that must occur in a row. */
export interface QueryGroup {
  terms: string[];
  /** A stop word outside quotes: the search may leave it out. */
  stop: boolean;
}

/** Quotes a user may type around a phrase: ASCII (full-width folds to it) and Chinese. */
const QUOTED = /["“”「」『』]([^"“”「」『』]*)["“”「」『』]?/gu;

/**
 * Query terms, one group per word: a group is the list of index terms that must all occur,
 * in a row, for the word to match (the bigrams of a Chinese word, or the word itself).
 * A phrase in quotes (`"party relations"`) is one group of all its words, stop words
 * included; outside quotes, stop words are marked so the search can leave them out.
 */
export function queryTermGroups(text: string): QueryGroup[] {
  const groups: QueryGroup[] = [];
  let last = 0;
  for (const match of text.normalize('NFKC').matchAll(QUOTED)) {
    groups.push(...wordGroups(text.normalize('NFKC').slice(last, match.index)));
    const phrase = phraseTerms(match[1] ?? '');
    if (phrase.length) groups.push({ terms: phrase, stop: false });
    last = match.index + match[0].length;
  }
  groups.push(...wordGroups(text.normalize('NFKC').slice(last)));
  return groups;
}

/**
 * The terms of a quoted phrase in index order: a Chinese run as the bigrams of the whole run
 * (they sit in a row in the index), so a phrase is not cut where a segmenter would cut it.
 */
function phraseTerms(text: string): string[] {
  const normalized = normalizeText(text);
  const terms: string[] = [];
  let last = 0;
  for (const run of normalized.matchAll(HAN_RUN)) {
    terms.push(...segmentWords(normalized.slice(last, run.index)), ...hanBigrams(run[0]));
    last = run.index + run[0].length;
  }
  terms.push(...segmentWords(normalized.slice(last)));
  return terms;
}

function wordGroups(text: string): QueryGroup[] {
  const groups: QueryGroup[] = [];
  for (const word of segmentWords(text)) {
    const stop = isStopWord(word);
    if (hasHan(word)) {
      for (const run of word.match(HAN_RUN) ?? []) groups.push({ terms: hanBigrams(run), stop });
      const rest = word.replace(HAN_RUN, ' ').trim();
      if (rest) groups.push({ terms: [rest], stop });
    } else {
      groups.push({ terms: [word], stop });
    }
  }
  return groups;
}
