import { hasHan, normalizeText } from './normalize.ts';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN_RUN = /\p{Script=Han}+/gu;

/** Small English stop-word list: these make a query match everything and rank nothing. */
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it of on or the to was were what when where which who why with about how'.split(
    ' ',
  ),
);

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

/**
 * Query terms, one group per word: a group is the list of index terms that must all
 * occur for the word to match (the bigrams of a Chinese word, or the word itself).
 */
export function queryTermGroups(text: string): string[][] {
  const groups: string[][] = [];
  for (const word of segmentWords(text)) {
    if (hasHan(word)) {
      for (const run of word.match(HAN_RUN) ?? []) groups.push(hanBigrams(run));
      const rest = word.replace(HAN_RUN, ' ').trim();
      if (rest) groups.push([rest]);
    } else if (!STOP_WORDS.has(word)) {
      groups.push([word]);
    }
  }
  return groups;
}
