import { createRequire } from 'node:module';
import { normalizeText } from './normalize.ts';

const lists = createRequire(import.meta.url)('stopwords-iso') as Record<'en' | 'zh', string[]>;

/**
 * English and Chinese stop words (stopwords-iso, the collation of the common lists): words
 * like "this", "how", "的", "什么" that occur everywhere and say nothing of what is wanted.
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  [...lists.en, ...lists.zh].map((word) => normalizeText(word)),
);

/** Whether a (normalized) word is a stop word. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
