/**
 * The Porter stemmer exactly as SQLite FTS5's `porter` tokenizer applies it (the original
 * algorithm, M. F. Porter 1980, with FTS5's limits), so that the PostgreSQL index stems a
 * word to the same term as the SQLite one. FTS5 works on UTF-8 bytes: a token under 3 or
 * over 64 bytes is left as it is, and a non-ASCII character counts as a consonant (here one
 * character stands for its bytes, which gives the same measures).
 */
export function porterStem(token: string): string {
  const bytes = Buffer.byteLength(token);
  if (bytes < 3 || bytes > 64) return token;
  const b = step1b(step1a(token));
  let w = b.word;
  if (b.removed) {
    const b2 = replaceSuffix(w, STEP_1B2);
    if (b2 !== undefined) {
      w = b2;
    } else {
      const last = w.at(-1)!;
      if (!isVowel(last, false) && !'lsz'.includes(last) && last === w.at(-2)) {
        w = w.slice(0, -1);
      } else if (measureIs1(w) && endsCvc(w)) {
        w += 'e';
      }
    }
  }
  // Step 1c.
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = `${w.slice(0, -1)}i`;
  w = replaceSuffix(w, STEP_2) ?? w;
  w = replaceSuffix(w, STEP_3) ?? w;
  w = replaceSuffix(w, STEP_4) ?? w;
  // Step 5a.
  if (w.endsWith('e')) {
    const stem = w.slice(0, -1);
    if (measureOver1(stem) || (measureIs1(stem) && !endsCvc(stem))) w = stem;
  }
  // Step 5b.
  if (w.length > 1 && w.endsWith('ll') && measureOver1(w.slice(0, -1))) w = w.slice(0, -1);
  return w;
}

type Condition = (stem: string) => boolean;
/** [suffix, condition on the stem before it, replacement]. */
type Rule = readonly [string, Condition | null, string];

function isVowel(c: string, yIsVowel: boolean): boolean {
  return 'aeiou'.includes(c) || (yIsVowel && c === 'y');
}

/** Where the first vowel-consonant sequence of `s` ends (0 when there is none). */
function gobbleVc(s: string, previousIsConsonant: boolean): number {
  const chars = Array.from(s);
  let consonant = previousIsConsonant;
  let i = 0;
  for (; i < chars.length; i++) {
    consonant = !isVowel(chars[i]!, consonant);
    if (!consonant) break;
  }
  for (i++; i < chars.length; i++) {
    consonant = !isVowel(chars[i]!, consonant);
    if (consonant) return prefixLength(chars, i + 1);
  }
  return 0;
}
/** The UTF-16 length of the first `n` characters. */
const prefixLength = (chars: string[], n: number) => chars.slice(0, n).join('').length;

const measureOver0: Condition = (stem) => gobbleVc(stem, false) > 0;
function measureOver1(stem: string): boolean {
  const n = gobbleVc(stem, false);
  return n > 0 && gobbleVc(stem.slice(n), true) > 0;
}
function measureIs1(stem: string): boolean {
  const n = gobbleVc(stem, false);
  return n > 0 && gobbleVc(stem.slice(n), true) === 0;
}
/** *o: the stem ends consonant-vowel-consonant, the last not w, x or y. */
function endsCvc(stem: string): boolean {
  if ('wxy'.includes(stem.at(-1) ?? 'w')) return false;
  let mask = 0;
  let consonant = false;
  for (const c of stem) {
    // FTS5 looks at bytes here: each byte of a non-ASCII character is a consonant.
    for (let byte = Buffer.byteLength(c); byte > 0; byte--) {
      consonant = byte > 1 || c.length > 1 || c > '\x7f' ? true : !isVowel(c, consonant);
      mask = ((mask << 1) | (consonant ? 1 : 0)) & 0x7;
    }
  }
  return mask === 0b101;
}
function hasVowel(stem: string): boolean {
  return Array.from(stem).some((c, i) => isVowel(c, i > 0));
}
const overOneAndSOrT: Condition = (stem) => /[st]$/u.test(stem) && measureOver1(stem);

function step1a(w: string): string {
  if (!w.endsWith('s')) return w;
  if ((w.endsWith('sses') && w.length > 4) || (w.endsWith('ies') && w.length > 3))
    return w.slice(0, -2);
  if (w.endsWith('ss')) return w;
  return w.slice(0, -1);
}

/**
 * Step 1b: -eed becomes -ee (and the step ends there); -ed and -ing go when a vowel stays
 * before them, and then `removed` asks for the clean-up that follows.
 */
function step1b(w: string): { word: string; removed: boolean } {
  if (w.endsWith('eed') && w.length > 3) {
    const stem = w.slice(0, -3);
    return { word: measureOver0(stem) ? `${stem}ee` : w, removed: false };
  }
  for (const suffix of ['ed', 'ing']) {
    if (!w.endsWith(suffix) || w.length <= suffix.length) continue;
    const stem = w.slice(0, -suffix.length);
    return hasVowel(stem) ? { word: stem, removed: true } : { word: w, removed: false };
  }
  return { word: w, removed: false };
}

const STEP_1B2: Rule[] = [
  ['at', null, 'ate'],
  ['bl', null, 'ble'],
  ['iz', null, 'ize'],
];
const STEP_2: Rule[] = [
  ['ational', measureOver0, 'ate'],
  ['tional', measureOver0, 'tion'],
  ['enci', measureOver0, 'ence'],
  ['anci', measureOver0, 'ance'],
  ['izer', measureOver0, 'ize'],
  ['logi', measureOver0, 'log'],
  ['bli', measureOver0, 'ble'],
  ['alli', measureOver0, 'al'],
  ['entli', measureOver0, 'ent'],
  ['eli', measureOver0, 'e'],
  ['ousli', measureOver0, 'ous'],
  ['ization', measureOver0, 'ize'],
  ['ation', measureOver0, 'ate'],
  ['ator', measureOver0, 'ate'],
  ['alism', measureOver0, 'al'],
  ['iveness', measureOver0, 'ive'],
  ['fulness', measureOver0, 'ful'],
  ['ousness', measureOver0, 'ous'],
  ['aliti', measureOver0, 'al'],
  ['iviti', measureOver0, 'ive'],
  ['biliti', measureOver0, 'ble'],
];
const STEP_3: Rule[] = [
  ['ical', measureOver0, 'ic'],
  ['ness', measureOver0, ''],
  ['icate', measureOver0, 'ic'],
  ['iciti', measureOver0, 'ic'],
  ['ful', measureOver0, ''],
  ['ative', measureOver0, ''],
  ['alize', measureOver0, 'al'],
];
const STEP_4: Rule[] = [
  ['al', measureOver1, ''],
  ['ance', measureOver1, ''],
  ['ence', measureOver1, ''],
  ['er', measureOver1, ''],
  ['ic', measureOver1, ''],
  ['able', measureOver1, ''],
  ['ible', measureOver1, ''],
  ['ant', measureOver1, ''],
  ['ement', measureOver1, ''],
  ['ment', measureOver1, ''],
  ['ent', measureOver1, ''],
  ['ion', overOneAndSOrT, ''],
  ['ou', measureOver1, ''],
  ['ism', measureOver1, ''],
  ['ate', measureOver1, ''],
  ['iti', measureOver1, ''],
  ['ous', measureOver1, ''],
  ['ive', measureOver1, ''],
  ['ize', measureOver1, ''],
];

/**
 * Applies the first rule whose suffix the word ends with, as FTS5 does: rules are grouped by
 * the word's second-to-last letter, and within a group the first suffix that matches decides
 * (when its condition fails, no other rule of the step is tried). The suffix must leave at
 * least one character. Undefined when no rule applied.
 */
function replaceSuffix(w: string, rules: Rule[]): string | undefined {
  const key = w.at(-2);
  for (const [suffix, condition, replacement] of rules) {
    if (suffix.at(-2) !== key || !w.endsWith(suffix) || w.length <= suffix.length) continue;
    const stem = w.slice(0, -suffix.length);
    return !condition || condition(stem) ? stem + replacement : undefined;
  }
  return undefined;
}
