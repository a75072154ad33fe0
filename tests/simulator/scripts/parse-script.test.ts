import { describe, expect, it } from 'vitest';
import { parseScript, ScriptError } from '../../../src/simulator/scripts/parse-script.ts';

const FILE = 'welcome.yaml';
const GOOD = `name: a new follower finds the anniversary report
users: [alice, bob]
steps:
  - alice: follow
    reply: { contains: Welcome }
  - alice: { say: anniversary }
    reply: { articles: 1, titles: [{ contains: 70th }] }
    followups: [{ matches: '^More' }]
  - alice: { say: '  ' }
    reply: none
  - wait: 25h
  - bob: { follow: { scene: spring } }
  - bob: { click: LATEST, break: signature }
    reply: { articles: { atLeast: 1 } }
    error: { dropped: { contains: article } }
  - fault: { api: message/custom/send, errcode: 45015 }
  - expect: { user: alice, push: { articles: { atLeast: 1 } }, within: 24h }
`;
const TWENTY_FIVE_HOURS_MS = 25 * 3_600_000;

/** The message a ScriptError has when the script at `text` is read. */
function errorOf(text: string): ScriptError {
  try {
    parseScript(text, FILE);
  } catch (error) {
    if (error instanceof ScriptError) return error;
    throw error;
  }
  throw new Error('the script was accepted');
}

describe('reading a conversation script', () => {
  it('reads users, steps, their lines and their expectations', () => {
    const script = parseScript(GOOD, FILE);
    expect(script.name).toBe('a new follower finds the anniversary report');
    expect(script.users).toEqual(['alice', 'bob']);
    expect(script.steps.map((s) => [s.kind, s.line])).toEqual([
      ['act', 4],
      ['act', 6],
      ['act', 9],
      ['wait', 11],
      ['act', 12],
      ['act', 13],
      ['fault', 16],
      ['expect', 17],
    ]);
    expect(script.steps[0]).toMatchObject({ user: 'alice', action: { kind: 'follow' } });
    expect(script.steps[1]).toMatchObject({
      action: { kind: 'say', text: 'anniversary' },
      reply: { articles: 1, titles: [{ contains: '70th' }] },
      followups: [{ matches: '^More' }],
    });
    expect(script.steps[2]).toMatchObject({ reply: 'none', action: { text: '  ' } });
    expect(script.steps[3]).toMatchObject({ ms: TWENTY_FIVE_HOURS_MS });
    expect(script.steps[4]).toMatchObject({ action: { kind: 'follow', scene: 'spring' } });
    expect(script.steps[5]).toMatchObject({
      action: { kind: 'click', key: 'LATEST', break: 'signature' },
      error: { dropped: { contains: 'article' } },
    });
    expect(script.steps[7]).toMatchObject({ user: 'alice', within: { duration: '24h' } });
  });

  it('reads every kind of action', () => {
    const script = parseScript(
      `name: all actions
users: [u]
steps:
  - u: unfollow
  - u: { scan: poster }
  - u: { view: 'https://example.org' }
  - u: { image: 'https://example.org/a.jpg' }
  - u: { voice: { recognition: 你好, format: amr } }
  - u: { location: { x: 39.9, y: 116.4, scale: 15, label: Beijing } }
  - u: { link: { title: A page, url: 'https://example.org' } }
`,
      FILE,
    );
    expect(script.steps.map((s) => (s.kind === 'act' ? s.action.kind : s.kind))).toEqual([
      'unfollow',
      'scan',
      'view',
      'image',
      'voice',
      'location',
      'link',
    ]);
  });

  // Each case: a change to the good script, and what the error must say (file, line, step).
  const CASES: [string, string, string, string][] = [
    ['a misspelt matcher', 'contains: 70th', 'contain: 70th', `${FILE}:7: step 2: reply.titles.0:`],
    [
      'an unknown action',
      '{ say: anniversary }',
      '{ sai: anniversary }',
      `${FILE}:6: step 2: alice:`,
    ],
    [
      'two actions at once',
      '{ say: anniversary }',
      '{ say: a, click: B }',
      'found both say, click',
    ],
    ['an unknown bare action', '- alice: follow', '- alice: folow', `${FILE}:4: step 1: alice:`],
    ['an unknown reply word', 'reply: none', 'reply: nothing', `${FILE}:10: step 3: reply:`],
    [
      'an unknown key on a step',
      'reply: none',
      'reply: none\n    replay: 1',
      'unknown key "replay"',
    ],
    ['an undeclared user', '- bob: { follow:', '- carol: { follow:', `${FILE}:12: step 5: carol`],
    ['a bad duration', 'wait: 25h', 'wait: 25y', `${FILE}:11: step 4: wait: must be a duration`],
    [
      'a count out of range',
      'atLeast: 1 } }\n    error',
      'atLeast: 9 } }\n    error',
      'step 6: reply.articles.atLeast: must be at most 8',
    ],
    [
      'text and cards at once',
      '{ contains: Welcome }',
      '{ contains: W, articles: 1 }',
      'step 1: reply: is a text or article cards, not both',
    ],
    [
      'a broken regular expression',
      "matches: '^More'",
      "matches: '(More'",
      'step 2: followups.0.matches: is not a valid regular expression',
    ],
    [
      'a push for a stranger',
      'user: alice, push',
      'user: carol, push',
      'step 8: carol is not one of',
    ],
    ['an unknown break', 'break: signature', 'break: everything', 'step 6: bob.break:'],
    ['a fault without errcode', 'errcode: 45015', 'times: 2', 'step 7: fault.errcode: is missing'],
  ];
  it.each(CASES)('names the file, step and line for %s', (_name, from, to, message) => {
    expect(GOOD).toContain(from);
    expect(errorOf(GOOD.replace(from, to)).message).toContain(message);
  });

  it('names the line of YAML that does not parse', () => {
    const error = errorOf(GOOD.replace('users: [alice, bob]', 'users: [alice, bob'));
    expect(error.message).toMatch(new RegExp(`^${FILE}:\\d+: `));
    expect(error.step).toBeUndefined();
  });

  it('refuses unknown keys at the top, a missing name and a duplicated user', () => {
    expect(errorOf(`${GOOD}extra: 1\n`).message).toBe(`${FILE}:18: unknown key "extra"`);
    expect(errorOf(GOOD.replace(/^name: .*\n/, '')).message).toContain('name: is missing');
    expect(errorOf(GOOD.replace('[alice, bob]', '[alice, alice]')).message).toContain(
      'users: names a user twice',
    );
    expect(errorOf(GOOD.replace('[alice, bob]', '[alice, wait]')).message).toContain(
      'users.1: is a word steps use',
    );
  });

  it('refuses a duplicated key, an empty file and one too large', () => {
    expect(errorOf(GOOD.replace('reply: none', 'reply: none\n    reply: none')).message).toMatch(
      /^welcome\.yaml:\d+: /,
    );
    expect(errorOf('').message).toContain(FILE);
    expect(errorOf(`name: big\n# ${'x'.repeat(300 * 1024)}\n`).message).toContain('larger than');
  });
});
