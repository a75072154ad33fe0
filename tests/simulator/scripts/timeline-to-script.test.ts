import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient } from '../../../src/simulator/scripts/control-client.ts';
import { parseScript } from '../../../src/simulator/scripts/parse-script.ts';
import { runScript } from '../../../src/simulator/scripts/runner.ts';
import { timelineToScript } from '../../../src/simulator/scripts/timeline-to-script.ts';
import {
  ANNIVERSARY_TITLE,
  MORE_TEXT,
  PUSH_TITLE,
  startStubControl,
  STUB_TOKEN,
  WELCOME,
  type StubControl,
} from './stub-control.ts';

const START = Date.UTC(2026, 0, 1, 9);
const MINUTE_MS = 60_000;
const RULE = 'a text reply is at most 2048 bytes';

/** Timeline items as the simulator stores them, `minutes` after the start. */
function item(id: number, minutes: number, fields: Record<string, unknown>) {
  return {
    id,
    openid: 'o-test',
    at: new Date(START + minutes * MINUTE_MS).toISOString(),
    ...fields,
  };
}
const text = (content: string) => ({ msgtype: 'text', text: content });
const news = (...titles: string[]) => ({
  msgtype: 'news',
  articles: titles.map((title) => ({ title })),
});

const SESSION = [
  item(1, 0, { source: 'user', action: { type: 'follow' } }),
  item(2, 0, { source: 'reply', message: text(WELCOME) }),
  item(3, 1 / 60, { source: 'user', action: { type: 'text', text: 'anniversary' } }),
  item(4, 1 / 60, { source: 'reply', message: news(ANNIVERSARY_TITLE) }),
  item(5, 2 / 60, { source: 'custom', message: text(MORE_TEXT) }),
  item(6, 3 / 60, { source: 'user', action: { type: 'text', text: '  ' } }),
  item(7, 4 / 60, { source: 'user', action: { type: 'text', text: 'long', break: 'nonce' } }),
  item(8, 4 / 60, { source: 'error', error: { kind: 'dropped', rule: RULE, message: RULE } }),
  item(9, 25 * 60, { source: 'mass', message: news(PUSH_TITLE) }),
  item(10, 25 * 60 + 2, { source: 'user', action: { type: 'click', key: 'LATEST' } }),
  item(11, 25 * 60 + 2, { source: 'reply', message: news('Latest one', 'Latest two') }),
  item(12, 25 * 60 + 3, { source: 'user', action: { type: 'location', x: 39.9, y: 116.4 } }),
];

describe('a timeline exported as a script', () => {
  it('turns what the user did into steps and what they saw into exact expectations', () => {
    // Newest first, as the timeline pages them: the export puts them in order.
    const yaml = timelineToScript([...SESSION].reverse(), { name: 'recorded', user: 'alice' });
    const script = parseScript(yaml, 'recorded.yaml');
    expect(script).toMatchObject({ name: 'recorded', users: ['alice'] });
    expect(script.steps).toMatchObject([
      { kind: 'act', action: { kind: 'follow' }, reply: { text: WELCOME } },
      {
        kind: 'act',
        action: { kind: 'say', text: 'anniversary' },
        reply: { articles: 1, titles: [{ equals: ANNIVERSARY_TITLE }] },
        followups: [{ text: MORE_TEXT }],
      },
      { kind: 'act', action: { kind: 'say', text: '  ' }, reply: 'none' },
      {
        kind: 'act',
        action: { kind: 'say', break: 'nonce' },
        reply: 'none',
        error: { dropped: { equals: RULE } },
      },
      { kind: 'wait' },
      { kind: 'expect', user: 'alice', push: { titles: [{ equals: PUSH_TITLE }] } },
      { kind: 'wait', duration: '2m' },
      { kind: 'act', action: { kind: 'click', key: 'LATEST' }, reply: { articles: 2 } },
      { kind: 'wait', duration: '1m' },
      { kind: 'act', action: { kind: 'location', x: 39.9, y: 116.4 }, reply: 'none' },
    ]);
  });

  it('writes one line per step part, readable as a hand-written script', () => {
    const yaml = timelineToScript(SESSION.slice(0, 2), { user: 'alice' });
    expect(yaml).toBe(
      `name: a recorded conversation\nusers:\n  - alice\nsteps:\n  - alice: follow\n    reply: { text: ${WELCOME} }\n`,
    );
  });

  it('skips items it cannot read and gives a script for an empty timeline only when asked', () => {
    const yaml = timelineToScript([{ nonsense: true }, ...SESSION.slice(0, 2), 'x'], {});
    expect(parseScript(yaml, 'x.yaml').steps).toHaveLength(1);
  });
});

describe('a recorded session replayed', () => {
  let stub: StubControl;
  beforeAll(async () => {
    stub = await startStubControl();
  });
  afterAll(() => stub.close());

  it('passes against the same account with new users', async () => {
    const control = createControlClient({ baseUrl: stub.url, token: STUB_TOKEN });
    const session = parseScript(
      `name: by hand\nusers: [alice]\nsteps:
  - alice: follow
  - alice: { say: anniversary }
    followups: [{ contains: More }]
  - alice: { say: too many cards }
  - alice: { click: LATEST }
  - wait: 25h
  - expect: { user: alice, push: { articles: 1 } }
`,
      'by-hand.yaml',
    );
    const first = await runScript(session, control, { settleMs: 1_000, pollMs: 10 });
    expect(first.failure).toBeUndefined();
    const [user] = [...stub.users.values()];
    const yaml = timelineToScript(user?.items ?? [], { name: 'replayed' });
    const replay = await runScript(parseScript(yaml, 'replayed.yaml'), control, {
      settleMs: 1_000,
      pollMs: 10,
    });
    expect(replay.failure).toBeUndefined();
    expect(replay.steps).toBe(first.steps);
  });
});
