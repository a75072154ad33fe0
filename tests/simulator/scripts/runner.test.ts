import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient } from '../../../src/simulator/scripts/control-client.ts';
import { parseScript } from '../../../src/simulator/scripts/parse-script.ts';
import { formatReport } from '../../../src/simulator/scripts/report.ts';
import { runScript } from '../../../src/simulator/scripts/runner.ts';
import {
  ANNIVERSARY_TITLE,
  DROP_RULE,
  MORE_TEXT,
  PUSH_TITLE,
  startStubControl,
  STUB_TOKEN,
  WELCOME,
  type StubControl,
} from './stub-control.ts';

const FILE = 'stub.yaml';
/** Long enough for the stub's late follow-up; a failing check waits this long, no more. */
const SETTLE_MS = 1_000;

let stub: StubControl;
beforeAll(async () => {
  stub = await startStubControl();
});
afterAll(() => stub.close());

function run(steps: string, users = '[alice]') {
  const script = parseScript(`name: a stub conversation\nusers: ${users}\nsteps:\n${steps}`, FILE);
  const control = createControlClient({ baseUrl: stub.url, token: STUB_TOKEN });
  return runScript(script, control, { settleMs: SETTLE_MS, pollMs: 10 });
}

describe('running a script against the control API', () => {
  it('passes a conversation whose replies, follow-ups, errors and pushes are as written', async () => {
    const result = await run(`
  - alice: follow
    reply: { text: '${WELCOME}' }
  - alice: { say: anniversary }
    reply: { articles: 1, titles: [{ contains: 70th }] }
    followups: [{ text: '${MORE_TEXT}' }]
  - alice: { say: '  ' }
    reply: none
  - alice: { say: too many cards }
    reply: none
    error: { dropped: { contains: at most 1 article } }
  - alice: { say: down }
    error: unavailable
  - alice: { say: refused }
    error: { errcode: 45015, api: message/custom/send }
  - alice: { click: LATEST }
    reply: { articles: { atLeast: 2 }, titles: ['Latest one', { matches: 'two$' }] }
  - wait: 1h
  - expect: { user: alice, push: { titles: ['${PUSH_TITLE}'] }, within: 24h }
`);
    expect(result.failure).toBeUndefined();
    expect(result).toMatchObject({ passed: true, steps: 9, ran: 9 });
  });

  it('sends each action in the control API shape', async () => {
    stub.actions.length = 0;
    const result = await run(`
  - alice: { follow: { scene: poster } }
  - alice: { say: hi, break: nonce }
  - alice: { image: 'https://example.org/a.jpg' }
  - alice: { voice: { recognition: 你好 } }
  - alice: { location: { x: 39.9, y: 116.4, label: Beijing } }
  - alice: { scan: poster }
  - alice: unfollow
`);
    expect(result.passed).toBe(true);
    expect(stub.actions).toEqual([
      { type: 'follow', scene: 'poster' },
      { type: 'text', text: 'hi', break: 'nonce' },
      { type: 'image', picUrl: 'https://example.org/a.jpg' },
      { type: 'voice', recognition: '你好' },
      { type: 'location', x: 39.9, y: 116.4, label: 'Beijing' },
      { type: 'scan', scene: 'poster' },
      { type: 'unfollow' },
    ]);
  });

  it('gives each run users of its own', async () => {
    const before = stub.users.size;
    await run('  - alice: follow\n  - bob: follow\n', '[alice, bob]');
    await run('  - alice: follow\n', '[alice]');
    const nicknames = [...stub.users.values()].slice(before).map((u) => u.nickname);
    expect(nicknames).toHaveLength(3);
    expect(new Set(nicknames).size).toBe(3);
  });

  // Each case: the steps, the step and line that fail, and what the diff says.
  const MISMATCHES: [string, string, number, number, string, string][] = [
    [
      'a wrong text',
      '  - alice: follow\n    reply: { contains: Goodbye }',
      1,
      4,
      'text containing "Goodbye"',
      `text "${WELCOME}"`,
    ],
    [
      'text for cards',
      '  - alice: follow\n    reply: { articles: 1 }',
      1,
      4,
      '1 articles',
      'text "',
    ],
    ['a reply for none', '  - alice: follow\n    reply: none', 1, 4, 'nothing', 'text "'],
    [
      'no reply for text',
      "  - alice: follow\n  - alice: { say: '  ' }\n    reply: { contains: x }",
      2,
      5,
      'text containing "x"',
      'nothing',
    ],
    [
      'a wrong title',
      '  - alice: { say: anniversary }\n    reply: { titles: [Centenary] }',
      1,
      4,
      'titles ["Centenary"]',
      `1 article ["${ANNIVERSARY_TITLE}"]`,
    ],
    [
      'a missing follow-up',
      '  - alice: follow\n    followups: [{ contains: more }]',
      1,
      4,
      'text containing "more"',
      '0 followups',
    ],
    [
      'a wrong drop rule',
      '  - alice: { say: too many cards }\n    error: { dropped: "2048" }',
      1,
      4,
      'a dropped reply, the rule "2048"',
      `dropped: ${DROP_RULE}`,
    ],
    [
      'a missing error',
      '  - alice: follow\n    error: unavailable',
      1,
      4,
      'the callback to fail every try',
      'no platform error',
    ],
    [
      'a wrong errcode',
      '  - alice: { say: refused }\n    error: { errcode: 45047 }',
      1,
      4,
      'errcode 45047',
      'errcode 45015 from message/custom/send',
    ],
    [
      'a missing push',
      '  - alice: follow\n  - expect: { user: alice, push: { contains: never } }',
      2,
      5,
      'text containing "never"',
      'no push arrived',
    ],
    [
      'a button off the menu',
      '  - alice: { click: NOPE }',
      1,
      4,
      'to run',
      'no button with key NOPE in the published menu',
    ],
  ];
  it.each(MISMATCHES)(
    'stops at %s, naming the step, its line, expected and actual',
    async (_name, steps, step, line, expected, actual) => {
      const result = await run(steps);
      expect(result.passed).toBe(false);
      expect(result.failure).toMatchObject({ step, line });
      expect(result.failure?.expected).toContain(expected);
      expect(result.failure?.actual).toContain(actual);
      const report = formatReport([result]);
      expect(report).toContain(`${FILE}:${line}: step ${step} of `);
      expect(report).toContain(`- expected: ${result.failure?.expected}`);
      expect(report).toContain(`+ actual:   ${result.failure?.actual}`);
      expect(report).toContain('0 passed, 1 failed');
    },
  );

  it('runs no step after the first failure', async () => {
    stub.actions.length = 0;
    const result = await run('  - alice: follow\n    reply: none\n  - alice: { say: hi }\n');
    expect(result).toMatchObject({ passed: false, ran: 1, steps: 2 });
    expect(stub.actions).toHaveLength(1);
  });

  it('reports a control API that refuses the token as a failed step, not a crash', async () => {
    const script = parseScript('name: n\nusers: [a]\nsteps:\n  - a: follow\n', FILE);
    const control = createControlClient({ baseUrl: stub.url, token: 'wrong' });
    const result = await runScript(script, control, { settleMs: SETTLE_MS });
    expect(result.failure?.actual).toContain('answered 401');
  });
});
