import { RE2JS } from 're2js';
import type { KeywordRule } from '../content/rules.ts';
import { hasHan, normalizeText } from '../text/normalize.ts';

export type RuleMatcher = (text: string) => KeywordRule | undefined;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Compiles keyword rules once (at start and when the rules file changes). The first rule
 * in file order with a matching keyword wins.
 * - `equal`: the whole message, case- and width-folded, equals the keyword.
 * - `contain`: the keyword occurs in the message. A Chinese keyword matches anywhere, as on
 *   the platform; a Latin one only as whole words ("hi" does not fire on "this").
 * - `regex`: our extension, tested against the folded message with RE2, which runs in time
 *   linear in the message: a pattern like `^(a+)+$` cannot freeze the process. The rules
 *   loader refuses patterns RE2 cannot compile; one that still fails here matches nothing.
 */
export function compileRules(rules: KeywordRule[]): RuleMatcher {
  const compiled = rules.map((rule) => ({
    rule,
    tests: rule.keywords.map(({ keyword, match }): ((text: string) => boolean) => {
      const folded = normalizeText(keyword);
      if (match === 'equal') return (text) => text === folded;
      if (match === 'regex') return compileRegex(keyword);
      if (hasHan(folded)) return (text) => text.includes(folded);
      const start = WORD_CHAR.test(folded.at(0) ?? '') ? '(?<![\\p{L}\\p{N}])' : '';
      const end = WORD_CHAR.test(folded.at(-1) ?? '') ? '(?![\\p{L}\\p{N}])' : '';
      const pattern = new RegExp(`${start}${escape(folded)}${end}`, 'u');
      return (text) => pattern.test(text);
    }),
  }));
  return function matchRule(text) {
    const folded = normalizeText(text);
    return compiled.find(({ tests }) => tests.some((test) => test(folded)))?.rule;
  };
}

/** A regex keyword as an RE2 matcher, compiled once. */
function compileRegex(source: string): (text: string) => boolean {
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch {
    return () => false;
  }
  return (text) => pattern.test(text);
}
