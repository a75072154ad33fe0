import type { KeywordRule, MenuButton } from '../content/rules.ts';
import { parseCommand } from './commands.ts';
import { compileRules } from './keyword-match.ts';

/** The platform's limits on keyword replies and the custom menu. */
export const RULE_LIMITS = {
  rules: 200,
  keywordsPerRule: 10,
  keywordChars: 30,
  repliesPerRule: 5,
  menuButtons: 3,
  subButtons: 5,
} as const;

/** A share of a limit at or above which the lint warns. */
const NEAR_LIMIT = 0.9;

export type LintKind = 'hidden' | 'overlap' | 'limit';

/** One thing the lint found, with the rule (and keyword) it is about, in words. */
export interface LintFinding {
  kind: LintKind;
  rule?: string;
  keyword?: string;
  message: string;
}

interface Keyed {
  rule: KeywordRule;
  index: number;
  keyword: string;
  match: KeywordRule['keywords'][number]['match'];
  /** Whether this keyword alone matches a message. */
  test: (text: string) => boolean;
}

/**
 * Reads the keyword rules as the engine runs them (the first rule in file order with a
 * matching keyword wins, and built-in commands answer before any rule) and reports:
 * - `hidden`: a keyword no message can reach its rule through, because an earlier rule (or
 *   a command) answers every message it matches;
 * - `overlap`: two `contain` keywords of different rules where one holds the other, so a
 *   message with both goes to the earlier rule only;
 * - `limit`: a platform limit reached or nearly reached.
 */
export function lintRules(rules: readonly KeywordRule[], menu: readonly MenuButton[] = []) {
  const keyed: Keyed[] = rules.flatMap((rule, index) =>
    rule.keywords.map(({ keyword, match }) => ({
      rule,
      index,
      keyword,
      match,
      test: single(rule, keyword, match),
    })),
  );
  const findings: LintFinding[] = [];
  for (const later of keyed) {
    const hidden = hiddenBy(later, keyed);
    if (hidden) findings.push(hidden);
  }
  findings.push(...overlaps(keyed), ...limits(rules, menu));
  return findings;
}

/** Why a keyword never reaches its rule, if it does not. */
function hiddenBy(later: Keyed, keyed: readonly Keyed[]): LintFinding | undefined {
  if (later.match === 'regex') return undefined;
  const { rule, keyword } = later;
  const command = parseCommand(keyword);
  if (later.match === 'equal' && command && command.arg === '') {
    return {
      kind: 'hidden',
      rule: rule.name,
      keyword,
      message: `keyword "${keyword}" of rule "${rule.name}" is never reached: the built-in command "${command.name}" answers that message first`,
    };
  }
  for (const earlier of keyed) {
    if (earlier.index >= later.index) break;
    // An equal keyword is one message: hidden if an earlier rule matches that message. A
    // contain keyword is every message holding it: hidden only by an earlier contain
    // keyword found inside it, which every such message then holds too.
    if (earlier.match === 'regex' && later.match === 'contain') continue;
    if (later.match === 'contain' && earlier.match !== 'contain') continue;
    if (!earlier.test(keyword)) continue;
    return {
      kind: 'hidden',
      rule: rule.name,
      keyword,
      message: `keyword "${keyword}" of rule "${rule.name}" is never reached: rule "${earlier.rule.name}" comes first and its keyword "${earlier.keyword}" answers ${later.match === 'equal' ? 'that message' : 'every message holding it'}`,
    };
  }
  return undefined;
}

/** A matcher of one keyword, compiled once, as the engine compiles it. */
function single(rule: KeywordRule, keyword: string, match: Keyed['match']) {
  const matchRule = compileRules([{ ...rule, keywords: [{ keyword, match }] }]);
  return (text: string) => matchRule(text) !== undefined;
}

/**
 * `contain` keywords of different rules where the later one's words sit inside the earlier
 * one's: a message with the earlier keyword goes to the earlier rule only. (The other way
 * round, the later keyword is `hidden`.)
 */
function overlaps(keyed: readonly Keyed[]): LintFinding[] {
  const contains = keyed.filter((k) => k.match === 'contain');
  const findings: LintFinding[] = [];
  for (const [i, a] of contains.entries()) {
    for (const b of contains.slice(i + 1)) {
      if (a.index === b.index || a.test(b.keyword)) continue;
      if (!b.test(a.keyword)) continue;
      findings.push({
        kind: 'overlap',
        rule: b.rule.name,
        keyword: b.keyword,
        message: `"contain" keywords overlap: "${a.keyword}" (rule "${a.rule.name}") holds "${b.keyword}" (rule "${b.rule.name}"), so a message with "${a.keyword}" goes to "${a.rule.name}" only`,
      });
    }
  }
  return findings;
}

function limits(rules: readonly KeywordRule[], menu: readonly MenuButton[]): LintFinding[] {
  const findings: LintFinding[] = [];
  const near = (count: number, limit: number) => count >= limit * NEAR_LIMIT;
  if (near(rules.length, RULE_LIMITS.rules)) {
    findings.push({
      kind: 'limit',
      message: `${rules.length} rules of the platform's ${RULE_LIMITS.rules}`,
    });
  }
  for (const rule of rules) {
    if (rule.keywords.length >= RULE_LIMITS.keywordsPerRule) {
      findings.push({
        kind: 'limit',
        rule: rule.name,
        message: `rule "${rule.name}" has ${rule.keywords.length} keywords, the platform's limit`,
      });
    }
    if (rule.replies.length >= RULE_LIMITS.repliesPerRule) {
      findings.push({
        kind: 'limit',
        rule: rule.name,
        message: `rule "${rule.name}" has ${rule.replies.length} replies, the platform's limit`,
      });
    }
    for (const { keyword } of rule.keywords) {
      if ([...keyword].length >= RULE_LIMITS.keywordChars) {
        findings.push({
          kind: 'limit',
          rule: rule.name,
          keyword,
          message: `keyword "${keyword}" of rule "${rule.name}" is ${[...keyword].length} characters, the platform's limit is ${RULE_LIMITS.keywordChars}`,
        });
      }
    }
  }
  if (menu.length >= RULE_LIMITS.menuButtons) {
    findings.push({
      kind: 'limit',
      message: `the menu has ${menu.length} buttons, the platform's limit: no room for another`,
    });
  }
  return findings;
}
