import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendRule, RuleRefusedError, type NewRule } from '../../src/content/append-rule.ts';
import { loadRules } from '../../src/content/load-rules.ts';
import { createLogger } from '../../src/log/logger.ts';
import { SAMPLE_MESSAGES } from '../helpers/temp-service.ts';

const log = createLogger({ level: 'silent' });
const VISA: NewRule = {
  name: 'visa',
  keywords: [{ keyword: 'visa office hours', match: 'contain' }],
  replies: [{ text: 'The visa office opens at 9.' }, { entries: ['account-launch'] }],
  note: 'added from the console: "visa office hours" was asked 2 times',
};

let dir: string;
let file: string;
let original: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oasim-rules-'));
  file = join(dir, 'rules.yaml');
  original = await readFile(join(SAMPLE_MESSAGES, 'rules.yaml'), 'utf8');
  await writeFile(file, original);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('appending a keyword rule to rules.yaml', () => {
  it('keeps the file as written, comments included, and adds the rule at the end of rules:', async () => {
    await appendRule(file, VISA);
    const text = await readFile(file, 'utf8');
    // Every byte of the file stays; the rule comes after the last one, before the menu.
    const [before, after] = original.split('\n# The custom menu');
    const added = [
      '',
      '  # added from the console: "visa office hours" was asked 2 times',
      '  - name: visa',
      '    keywords:',
      '      - { keyword: visa office hours, match: contain }',
      '    replies:',
      '      - text: The visa office opens at 9.',
      '      - entries:',
      '          - account-launch',
      '',
    ].join('\n');
    expect(text).toBe(`${before}${added}\n# The custom menu${after}`);
    const rules = await loadRules(file, log);
    expect(rules.rules.at(-1)).toMatchObject({ name: 'visa', replyMode: 'reply_all' });
    expect(rules.rules).toHaveLength(7);
    expect(rules.menu).toHaveLength(3);
  });

  it('refuses what the rules loader would skip, with its reason, and leaves the file alone', async () => {
    const long = { ...VISA, keywords: [{ keyword: 'x'.repeat(31), match: 'equal' as const }] };
    await expect(appendRule(file, long)).rejects.toThrow('a keyword is 1 to 30 characters');
    const badRegex = { ...VISA, keywords: [{ keyword: '(', match: 'regex' as const }] };
    await expect(appendRule(file, badRegex)).rejects.toBeInstanceOf(RuleRefusedError);
    await expect(appendRule(file, { ...VISA, replies: [] })).rejects.toThrow(
      'needs at least one reply',
    );
    await expect(appendRule(file, { ...VISA, name: 'greeting' })).rejects.toThrow(
      'there is already a rule named "greeting"',
    );
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('refuses to rewrite a rules file that is not valid YAML', async () => {
    await writeFile(file, 'rules: [\n');
    await expect(appendRule(file, VISA)).rejects.toThrow(/must be fixed first: not valid YAML/);
    expect(await readFile(file, 'utf8')).toBe('rules: [\n');
  });

  it('starts a rules: list in a file without one, and one at a time when two arrive together', async () => {
    await writeFile(file, '# only a comment\nfollow_reply:\n  - text: Hi\n');
    await Promise.all([appendRule(file, VISA), appendRule(file, { ...VISA, name: 'visa 2' })]);
    const rules = await loadRules(file, log);
    expect(rules.rules.map((r) => r.name)).toEqual(['visa', 'visa 2']);
    expect(await readFile(file, 'utf8')).toMatch(/^# only a comment\n/);
  });
});
