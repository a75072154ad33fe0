import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, SIM_TOKEN, START, startWorld, timelineOf, type SimWorld } from '../sim-fixture.ts';

const HOUR = 3600_000;
const AFTER_36H = new Date(START.getTime() + 36 * HOUR);
/** Over the control API's 64 KiB. */
const HUGE = 'x'.repeat(70 * 1024);

let w: SimWorld;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

async function newUser(nickname: string, follow = true): Promise<string> {
  const made = await w.api<{ user: { openid: string } }>('POST', '/users', { nickname });
  if (follow) await act(w, made.json.user.openid, { type: 'follow' });
  return made.json.user.openid;
}

describe('the control API', () => {
  it('travels the clock forward, in units or to an instant, and never back', async () => {
    const before = await w.api<{ now: string }>('GET', '/clock');
    const start = Date.parse(before.json.now);
    const moved = await w.api<{ now: string }>('POST', '/clock', { advance: '36h' });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.json.now) - start).toBeGreaterThanOrEqual(36 * HOUR);
    const to = new Date(Date.parse(moved.json.now) + 2 * 24 * HOUR).toISOString();
    const there = await w.api<{ now: string }>('POST', '/clock', { to });
    expect(there.json.now).toBe(to);
    const back = await w.api<{ error: string }>('POST', '/clock', { to: AFTER_36H.toISOString() });
    expect(back.status).toBe(409);
    expect(back.json.error).toMatch(/never goes back/);
  });

  it.each([
    [{ advance: '-1h' }, /advance/],
    [{ advance: '36 hours' }, /advance/],
    [{ advance: '0s' }, /advance/],
    [{ to: 'tomorrow' }, /ISO/],
    [{}, /advance|to/],
    ['36h', /advance|to/],
  ])('refuses the clock body %j in words', async (body, said) => {
    const res = await w.api<{ error: string }>('POST', '/clock', body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(said);
  });

  it.each([
    [{}, 400],
    [{ nickname: '' }, 400],
    [{ count: 10_001, seed: 's' }, 400],
    [{ count: 0, seed: 's' }, 400],
    [{ count: 5 }, 400],
    [{ nickname: 'x', extra: 1 }, 400],
  ])('refuses the user body %j', async (body, status) => {
    const res = await w.api<{ error: string }>('POST', '/users', body);
    expect(res.status).toBe(status);
    expect(typeof res.json.error).toBe('string');
  });

  it('answers 404 in words for an unknown user, everywhere', async () => {
    const ghost = 'o_no_such_user_00000000000000';
    for (const [method, path, body] of [
      ['GET', `/users/${ghost}`],
      ['GET', `/users/${ghost}/timeline`],
      ['POST', `/users/${ghost}/actions`, { type: 'text', text: 'hi' }],
    ] as const) {
      const res = await w.api<{ error: string }>(method, path, body);
      expect(res.status).toBe(404);
      expect(res.json.error).toContain('no user');
    }
  });

  it.each([
    [{ type: 'shout' }, /type must be one of/],
    [{ type: 'text' }, /text/],
    [{ type: 'text', text: 'hi', break: 'everything' }, /break must be/],
    [{ type: 'location', x: 91, y: 0 }, /x/],
    [{ type: 'click', key: 'NO_SUCH_KEY' }, /no button with key NO_SUCH_KEY in the published menu/],
    [{ type: 'view', url: 'https://nowhere.example' }, /no button with URL/],
  ])('refuses the action %j with 400 in words', async (action, said) => {
    const openid = await newUser('Refused');
    const res = await act(w, openid, action);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(said);
  });

  it('refuses a message from a user who does not follow, and a second follow', async () => {
    const stranger = await newUser('Stranger', false);
    expect((await act(w, stranger, { type: 'text', text: 'hi' })).status).toBe(409);
    const fan = await newUser('Fan');
    expect((await act(w, fan, { type: 'follow' })).status).toBe(409);
  });

  it('refuses a body over 64 KiB, a body that is not JSON, and a missing token', async () => {
    const big = await w.api('POST', '/users', { nickname: HUGE });
    expect(big.status).toBe(413);
    const res = await fetch(`${w.simUrl}/sim/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SIM_TOKEN}`, 'content-type': 'application/json' },
      body: '{"nickname": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const anonymous = await fetch(`${w.simUrl}/sim/api/users`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${w.simUrl}/sim/api/users`, {
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
  });

  it('pages users and a timeline', async () => {
    const openid = await newUser('Pager');
    for (const text of ['one', 'two', 'three']) await act(w, openid, { type: 'text', text });
    const first = await w.api<{ items: { id: number }[]; next: number }>(
      'GET',
      `/users/${openid}/timeline?limit=2`,
    );
    expect(first.json.items).toHaveLength(2);
    const second = await w.api<{ items: { id: number }[] }>(
      'GET',
      `/users/${openid}/timeline?limit=2&before=${first.json.next}`,
    );
    expect(second.json.items[0]!.id).toBeLessThan(first.json.items[1]!.id);
    expect((await w.api('GET', `/users/${openid}/timeline?limit=5000`)).status).toBe(400);
    const users = await w.api<{ total: number; users: unknown[]; next: string }>(
      'GET',
      '/users?limit=1',
    );
    expect(users.json.users).toHaveLength(1);
    expect(users.json.total).toBeGreaterThan(1);
  });

  it('passes API faults to the platform and shows them in its state', async () => {
    const res = await w.api('POST', '/faults', { api: 'message/mass/send', errcode: 45009 });
    expect(res.status).toBe(201);
    const state = await w.api<{ faults: { api: string }[]; simulator: { users: number } }>(
      'GET',
      '/platform',
    );
    expect(state.json.faults.map((f) => f.api)).toContain('message/mass/send');
    expect(state.json.simulator.users).toBeGreaterThan(0);
    expect((await w.api('POST', '/faults', { api: 'x', errcode: 0 })).status).toBe(400);
  });
});

describe('break actions', () => {
  it('sends a bad signature once, and records the account refusing it', async () => {
    const openid = await newUser('Breaker');
    const { json } = await act(w, openid, { type: 'text', text: 'hi', break: 'signature' });
    expect(json.exchange.tries).toHaveLength(1);
    expect(json.exchange.verdict).toMatchObject({ outcome: 'refused', status: 401 });
    const [, seen] = json.items;
    expect(seen).toMatchObject({ source: 'error', error: { kind: 'refused' } });
  });

  it('replays the same signed request, which the account answers as a retry', async () => {
    const openid = await newUser('Replayer');
    const { json } = await act(w, openid, { type: 'text', text: 'hello', break: 'nonce' });
    expect(json.exchange.tries).toHaveLength(2);
    expect(json.exchange.tries[0]!.query).toEqual(json.exchange.tries[1]!.query);
    expect(json.exchange.tries[1]!.response).toBe(json.exchange.tries[0]!.response);
  });

  it('encrypts for another AppID, which the account refuses', async () => {
    const openid = await newUser('Wrong app');
    const { json } = await act(w, openid, { type: 'text', text: 'hi', break: 'appid' });
    expect(json.exchange.verdict.outcome).toBe('refused');
    const items = await timelineOf(w, openid, 2);
    expect(items.map((i) => i.source)).toEqual(['user', 'error']);
  });
});
