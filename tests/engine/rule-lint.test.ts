import { describe, expect, it } from 'vitest';
import type { KeywordRule, MatchMode, MenuButton } from '../../src/content/rules.ts';
import { lintRules, RULE_LIMITS } from '../../src/engine/rule-lint.ts';

const rule = (name: string, ...keywords: [string, MatchMode][]): KeywordRule => ({
  name,
  keywords: keywords.map(([keyword, match]) => ({ keyword, match })),
  replyMode: 'reply_all',
  replies: [{ text: name }],
});

describe('the rules lint', () => {
  it('finds nothing to say about rules that do not get in each other’s way', () => {
    const rules = [rule('greeting', ['hello', 'equal']), rule('contact', ['contact', 'contain'])];
    expect(lintRules(rules)).toEqual([]);
  });

  it('reports an equal keyword an earlier rule answers first, naming both rules', () => {
    const rules = [rule('about', ['about', 'contain']), rule('about us', ['About', 'equal'])];
    expect(lintRules(rules)).toEqual([
      expect.objectContaining({ kind: 'hidden', rule: 'about us', keyword: 'About' }),
    ]);
    expect(lintRules(rules)[0]!.message).toBe(
      'keyword "About" of rule "about us" is never reached: rule "about" comes first and its keyword "about" answers that message',
    );
  });

  it('reports a contain keyword holding an earlier contain keyword as hidden, the other way round as an overlap', () => {
    const hidden = lintRules([
      rule('anniversary', ['周年', 'contain']),
      rule('seventieth', ['七十周年', 'contain']),
    ]);
    expect(hidden).toEqual([
      expect.objectContaining({ kind: 'hidden', rule: 'seventieth', keyword: '七十周年' }),
    ]);
    const overlap = lintRules([
      rule('seventieth', ['七十周年', 'contain']),
      rule('anniversary', ['周年', 'contain']),
    ]);
    expect(overlap).toEqual([
      expect.objectContaining({ kind: 'overlap', rule: 'anniversary', keyword: '周年' }),
    ]);
  });

  it('reads Latin contain keywords as whole words, as the engine does', () => {
    // "hi" does not fire on "this", so neither hides the other.
    expect(lintRules([rule('hi', ['hi', 'contain']), rule('this', ['this', 'contain'])])).toEqual(
      [],
    );
    expect(
      lintRules([
        rule('news', ['news', 'contain']),
        rule('latest news', ['latest news', 'contain']),
      ]),
    ).toEqual([expect.objectContaining({ kind: 'hidden', rule: 'latest news' })]);
  });

  it('reports an equal keyword matched by an earlier regex, and a keyword a built-in command takes', () => {
    const findings = lintRules([
      rule('events', ['^(events?|活动)$', 'regex']),
      rule('event', ['event', 'equal']),
      rule('help me', ['帮助', 'equal']),
    ]);
    expect(findings.map((f) => [f.kind, f.rule])).toEqual([
      ['hidden', 'event'],
      ['hidden', 'help me'],
    ]);
    expect(findings[1]!.message).toContain('the built-in command "help"');
  });

  it('never reports keywords of the same rule against each other', () => {
    expect(lintRules([rule('about', ['about', 'contain'], ['about us', 'contain'])])).toEqual([]);
  });

  it('reports the platform limits a rule or the menu has reached', () => {
    const full = rule(
      'full',
      ...Array.from({ length: RULE_LIMITS.keywordsPerRule }, (_, i): [string, MatchMode] => [
        `word${i}`,
        'equal',
      ]),
    );
    const long = rule('long', ['x'.repeat(RULE_LIMITS.keywordChars), 'equal']);
    const menu: MenuButton[] = ['a', 'b', 'c'].map((name) => ({ name, view: 'https://a.example' }));
    const findings = lintRules([full, long], menu).filter((f) => f.kind === 'limit');
    expect(findings.map((f) => f.rule)).toEqual(['full', 'long', undefined]);
    expect(findings[0]!.message).toBe('rule "full" has 10 keywords, the platform\'s limit');
  });
});
