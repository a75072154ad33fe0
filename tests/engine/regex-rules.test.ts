import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/content/load-rules.ts';
import { compileRules } from '../../src/engine/keyword-match.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';
import { engineFixture, shown, type EngineFixture } from './engine-fixture.ts';

/** Patterns a backtracking engine takes exponential time on. */
const CATASTROPHIC = ['^(a+)+$', '^(a|a)*$', '^(a|aa)+$', '(x+x+)+y', '^([a-z]+)*!$'];
/** Long enough that a backtracking engine would not finish in the life of the test run. */
const LONG = 5000;

const ruleOf = (keyword: string) => ({
  name: `rule ${keyword}`,
  keywords: [{ keyword, match: 'regex' as const }],
  replyMode: 'reply_all' as const,
  replies: [{ text: 'matched' }],
});

let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('regex keyword rules', () => {
  it('answer catastrophic patterns on long messages, as RE2 runs in linear time', () => {
    for (const pattern of CATASTROPHIC) {
      const match = compileRules([ruleOf(pattern)]);
      expect(match(`${'a'.repeat(LONG)}b`), pattern).toBeUndefined();
      expect(match(`${'x'.repeat(LONG)}`), pattern).toBeUndefined();
    }
    expect(compileRules([ruleOf('^(a+)+$')])('a'.repeat(LONG))?.name).toBe('rule ^(a+)+$');
  });

  it('still match case-insensitively and in Chinese', () => {
    const match = compileRules([ruleOf('^(events?|活动)$'), ruleOf('\\p{Han}{2}周年')]);
    expect(match('EVENTS')?.name).toBe('rule ^(events?|活动)$');
    expect(match('活动')?.name).toBe('rule ^(events?|活动)$');
    expect(match('七十周年')?.name).toBe('rule \\p{Han}{2}周年');
  });

  it('that RE2 cannot run are refused at load, by rule name and line, and the rest load', async () => {
    const { messagesDir } = await makeTempDir();
    const file = join(messagesDir, 'rules.yaml');
    await writeFile(
      file,
      [
        'rules:',
        '  - name: backreference',
        "    keywords: [{ keyword: '(a)\\1', match: regex }]",
        '    replies: [{ text: one }]',
        '  - name: lookahead',
        "    keywords: [{ keyword: 'a(?=b)', match: regex }]",
        '    replies: [{ text: two }]',
        '  - name: lookbehind',
        "    keywords: [{ keyword: '(?<=a)b', match: regex }]",
        '    replies: [{ text: three }]',
        '  - name: unclosed',
        "    keywords: [{ keyword: '[abc', match: regex }]",
        '    replies: [{ text: four }]',
        '  - name: fine',
        "    keywords: [{ keyword: '^(a+)+$', match: regex }]",
        '    replies: [{ text: five }]',
        '',
      ].join('\n'),
    );
    const { log, lines } = memoryLogger();
    const rules = await loadRules(file, log);
    expect(rules.rules.map((rule) => rule.name)).toEqual(['fine']);
    const skipped = lines().filter((line) => line.msg === 'rules file: part skipped');
    expect(skipped.map((line) => [line.where, line.line])).toEqual([
      ['rule "backreference"', 3],
      ['rule "lookahead"', 6],
      ['rule "lookbehind"', 9],
      ['rule "unclosed"', 12],
    ]);
    for (const line of skipped)
      expect(line.reason).toMatch(/^keywords item 1: regex ".*" is refused: /);
  });

  it('answer a 5,000-character message through the engine', async () => {
    fixture = await engineFixture({
      files: {
        'rules.yaml':
          "rules:\n  - name: bomb\n    keywords: [{ keyword: '^(a+)+$', match: regex }]\n    replies: [{ text: bomb answered }]\n",
      },
    });
    expect(shown(await fixture.say('r', 'a'.repeat(LONG)))).toEqual(['bomb answered']);
    const [miss] = shown(await fixture.say('r', `${'a'.repeat(LONG)}!`));
    expect(miss).toContain('Sorry');
  });
});
