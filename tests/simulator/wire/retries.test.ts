import { afterEach, describe, expect, it } from 'vitest';
import { UNAVAILABLE_TEXT } from '../../../src/simulator/callback/target.ts';
import { act, startWorld, textOf, timelineOf, type SimWorld } from '../sim-fixture.ts';

/** Later than the platform's 5 s wait. */
const LATE_MS = 6000;
const TRIES = 3;
const WELCOME = 'Welcome to the WeChat account';

let world: SimWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function follower(w: SimWorld, nickname: string): Promise<string> {
  const made = await w.api<{ user: { openid: string } }>('POST', '/users', { nickname });
  await act(w, made.json.user.openid, { type: 'follow' });
  return made.json.user.openid;
}

describe('a slow or absent callback', () => {
  it('is tried three times with the same MsgId, then the user sees the platform error text', async () => {
    world = await startWorld();
    const openid = await follower(world, 'Slow');
    const fault = await world.api('POST', '/faults', {
      callback: { delayMs: LATE_MS, times: TRIES },
    });
    expect(fault.status).toBe(201);
    const { json } = await act(world, openid, { type: 'text', text: 'hello' });
    expect(json.exchange.tries).toHaveLength(TRIES);
    expect(json.exchange.verdict.outcome).toBe('unavailable');
    const msgIds = json.exchange.tries.map((t) => /<MsgId>(.*?)<\/MsgId>/.exec(t.request)?.[1]);
    expect(new Set(msgIds).size).toBe(1);
    const [last] = (await timelineOf(world, openid, 1)).reverse();
    expect(last).toMatchObject({ source: 'error', error: { kind: 'unavailable' } });
    expect(textOf(last)).toBe(UNAVAILABLE_TEXT);
  });

  it('keeps an event the same on a retry, and shows the reply of a try in time', async () => {
    world = await startWorld();
    const made = await world.api<{ user: { openid: string } }>('POST', '/users', {
      nickname: 'Once',
    });
    await world.api('POST', '/faults', { callback: { delayMs: LATE_MS, times: 1 } });
    const { json } = await act(world, made.json.user.openid, { type: 'follow' });
    expect(json.exchange.tries).toHaveLength(2);
    expect(json.exchange.tries[0]!.failure).toMatch(/no answer within 5 s/);
    expect(json.exchange.tries[0]!.request).toBe(json.exchange.tries[1]!.request);
    expect(json.exchange.verdict.outcome).toBe('shown');
    expect(textOf(json.items[1])).toContain(WELCOME);
  });

  it('is unavailable when nothing listens at the callback URL', async () => {
    world = await startWorld({ targetUrl: () => 'http://127.0.0.1:1/wechat' });
    const made = await world.api<{ user: { openid: string } }>('POST', '/users', {
      nickname: 'Nobody home',
    });
    const { json } = await act(world, made.json.user.openid, { type: 'follow' });
    expect(json.exchange.tries).toHaveLength(TRIES);
    expect(json.exchange.tries.every((t) => /could not be reached/.test(t.failure ?? ''))).toBe(
      true,
    );
    expect(json.exchange.verdict.outcome).toBe('unavailable');
  });

  it('is unavailable when the callback answers an error status each time', async () => {
    world = await startWorld({ targetUrl: (url) => `${url}/no-such-callback` });
    const made = await world.api<{ user: { openid: string } }>('POST', '/users', {
      nickname: 'Lost',
    });
    const { json } = await act(world, made.json.user.openid, { type: 'follow' });
    expect(json.exchange.tries.map((t) => t.status)).toEqual([404, 404, 404]);
    expect(json.exchange.verdict.outcome).toBe('unavailable');
  });
});
