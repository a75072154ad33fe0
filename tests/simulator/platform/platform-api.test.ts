import { Database } from '../../../src/sqlite/driver.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlatformApi } from '../../../src/simulator/platform/platform-api.ts';
import { APP_ID, APP_SECRET, openidOf, startPlatform, type TestPlatform } from './fakes.ts';

const MINUTE = 60_000;
const MIB = 1024 * 1024;
const TEXT = { msgtype: 'text', text: { content: 'hello' } };

let p: TestPlatform;
afterEach(() => p.close());

describe('answers outside any API', () => {
  it('answers 48001 api unauthorized for a path the platform does not have', async () => {
    p = await startPlatform();
    const token = await p.token();
    for (const path of ['message/nonexistent', 'constructor', 'menu'])
      expect((await p.call(path, { token })).errmsg).toMatch(/^api unauthorized rid: /);
  });

  it.each([
    ['a body that is not JSON', '{"button": [', 47001],
    ['a JSON array', '[1, 2]', 47001],
    ['a JSON string', '"menu"', 47001],
    ['no body where one is needed', '', 44002],
  ])('answers %s with the platform code, not an HTTP error', async (_, raw, code) => {
    p = await startPlatform();
    const token = await p.token();
    const res = await fetch(`${p.url}/cgi-bin/menu/create?access_token=${token}`, {
      method: 'POST',
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(code);
  });

  it('takes a 1 MiB mass list but answers 47001 for a bigger body', async () => {
    p = await startPlatform({ followers: 2 });
    const token = await p.token();
    const padding = 'x'.repeat(MIB);
    const answer = await p.call('message/mass/send', {
      token,
      body: { touser: [openidOf(1), openidOf(2)], ...TEXT, padding },
    });
    expect(answer.errcode).toBe(47001);
    const fits = await p.call('message/mass/send', {
      token,
      body: { touser: Array.from({ length: 10_000 }, (_, i) => openidOf(i + 1)), ...TEXT },
    });
    expect(fits.errcode).toBe(0);
  });

  it('answers 47001 for a body in an encoding it cannot read', async () => {
    p = await startPlatform();
    const token = await p.token();
    const res = await fetch(`${p.url}/cgi-bin/menu/create?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(47001);
  });

  it('answers -1, not a 500, when its own database fails, and bounds a long path in the log', async () => {
    p = await startPlatform();
    const token = await p.token();
    const long = await p.call(`menu/${'x'.repeat(5000)}`, { token });
    expect(long.errcode).toBe(48001);
    expect((await p.api.calls({ limit: 1 }))[0]!.api.length).toBeLessThan(250);
    p.db!.close();
    const res = await fetch(`${p.url}/cgi-bin/menu/get?access_token=${token}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(-1);
  });

  it('answers -1 system error, not a 500, when the simulator itself fails', async () => {
    p = await startPlatform();
    const token = await p.token();
    p.followers.get = () => {
      throw new Error('directory unavailable');
    };
    const answer = await p.call('user/info', { token, query: { openid: openidOf(1) } });
    expect(answer.errcode).toBe(-1);
    expect(String(answer.errmsg)).not.toMatch(/directory unavailable/);
  });
});

describe('fault injection', () => {
  it('makes the next N calls of an API answer the injected errcode in the platform words', async () => {
    const TIMES = 2;
    p = await startPlatform({ followers: 2 });
    const token = await p.token();
    p.api.inject({ api: 'message/mass/send', errcode: 45009, times: TIMES });
    const send = () =>
      p.call('message/mass/send', { token, body: { touser: [openidOf(1), openidOf(2)], ...TEXT } });
    for (let i = 0; i < TIMES; i++) {
      const answer = await send();
      expect(answer.errcode).toBe(45009);
      expect(answer.errmsg).toMatch(/^reach max api daily quota limit rid: /);
    }
    expect((await send()).errcode).toBe(0);
  });

  it('lets `after` calls through first, for a fault in the middle of a run of calls', async () => {
    p = await startPlatform({ followers: 2 });
    const token = await p.token();
    p.api.inject({ api: 'message/mass/send', errcode: 45009, times: 1, after: 2 });
    const send = async () =>
      (
        await p.call('message/mass/send', {
          token,
          body: { touser: [openidOf(1), openidOf(2)], ...TEXT },
        })
      ).errcode;
    const answers = [await send(), await send(), await send(), await send()];
    expect(answers).toEqual([0, 0, 45009, 0]);
    expect((await p.api.state()).faults).toEqual([]);
  });

  it('touches only the API it names, and takes the /cgi-bin/ form of the name', async () => {
    p = await startPlatform();
    const token = await p.token();
    p.api.inject({ api: '/cgi-bin/menu/get', errcode: -1 });
    expect((await p.call('menu/delete', { token })).errcode).toBe(0);
    expect((await p.call('menu/get', { token })).errcode).toBe(-1);
    expect((await p.call('menu/get', { token })).errcode).toBe(46003);
  });

  it.each([
    [
      'an API the platform does not have',
      { api: 'message/mass/sendal', errcode: 45009 },
      /no API named/,
    ],
    ['errcode 0', { api: 'menu/get', errcode: 0 }, /non-zero/],
    ['a fractional errcode', { api: 'menu/get', errcode: 1.5 }, /non-zero/],
    ['zero times', { api: 'menu/get', errcode: -1, times: 0 }, /1 to 10000 times/],
    ['a million times', { api: 'menu/get', errcode: -1, times: 1e6 }, /1 to 10000 times/],
    ['a negative wait', { api: 'menu/get', errcode: -1, after: -1 }, /0 to 10000 calls/],
  ])('refuses to inject a fault with %s, in words', async (_, fault, words) => {
    p = await startPlatform();
    expect(() => p.api.inject(fault)).toThrow(words);
    expect((await p.api.state()).faults).toEqual([]);
  });
});

describe('the call log', () => {
  it('records every call with its verdict and reason, newest first, in pages', async () => {
    p = await startPlatform();
    const token = await p.token();
    await p.call('menu/get', { token });
    await p.call('menu/get', { token: 'forged' });
    const [forged, noMenu, issued] = await p.api.calls({ limit: 3 });
    expect(forged).toMatchObject({ api: 'menu/get', verdict: 'refused', errcode: 40001 });
    expect(forged?.reason).toMatch(/never issued/);
    expect(noMenu).toMatchObject({
      verdict: 'refused',
      errcode: 46003,
      reason: 'no menu is published',
    });
    expect(issued).toMatchObject({ api: 'token', verdict: 'accepted', errcode: 0 });
    expect(await p.api.calls({ limit: 1, before: noMenu!.id })).toEqual([issued]);
    for (const odd of [{ limit: Number.NaN }, { before: Number.NaN }, { limit: 1e9 }])
      expect(await p.api.calls(odd)).toHaveLength(3);
    expect(await p.api.calls({ limit: -5 })).toHaveLength(1);
  });

  it('tells the live stream about each call with its verdict', async () => {
    p = await startPlatform();
    const token = await p.token();
    await p.call('menu/get', { token });
    const [latest] = await p.api.calls({ limit: 1 });
    expect(p.events.filter((e) => e.type === 'platform.call').map((e) => e.data)).toEqual([
      expect.objectContaining({ api: 'token', verdict: 'accepted', errcode: 0 }),
      {
        id: latest!.id,
        at: latest!.at,
        api: 'menu/get',
        verdict: 'refused',
        errcode: 46003,
        reason: 'no menu is published',
      },
    ]);
  });

  it('never stores a token or the secret whole, in the call log or anywhere else', async () => {
    p = await startPlatform();
    const token = await p.token();
    await p.call('menu/get', { token });
    await p.call('stable_token', {
      body: { grant_type: 'client_credential', appid: 'wx1', secret: APP_SECRET },
    });
    const tables = p
      .db!.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all();
    const stored = JSON.stringify(
      tables.map(({ name }) => p.db!.prepare(`SELECT * FROM "${name}"`).all()),
    );
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(APP_SECRET);
    expect((await p.api.calls({ limit: 1 }))[0]?.token).toBeUndefined();
    expect((await p.api.calls({ limit: 2 }))[1]?.token).toMatch(/^.{6}….{4}$/);
  });
});

describe('state, reset and restart', () => {
  it('forgets tokens, menus, tags, jobs and counts on reset', async () => {
    p = await startPlatform({ followers: 2 });
    const token = await p.token();
    await p.api.tagUser(openidOf(1), 'press');
    await p.call('menu/create', {
      token,
      body: { button: [{ type: 'click', name: 'a', key: 'A' }] },
    });
    expect(await p.api.state()).toMatchObject({ tokens: 1, tags: [{ name: 'press', count: 1 }] });
    await p.api.reset();
    expect(await p.api.state()).toMatchObject({ tokens: 0, tags: [], menu: null, massJobs: [] });
    expect(await p.api.publishedMenu()).toBeUndefined();
    expect((await p.call('menu/get', { token })).errcode).toBe(40001);
  });

  it('never gives a msg_id twice, even across a reset', async () => {
    p = await startPlatform({ followers: 2 });
    const send = async () => {
      const token = await p.token();
      return (
        await p.call('message/mass/send', {
          token,
          body: { touser: [openidOf(1), openidOf(2)], ...TEXT },
        })
      ).msg_id;
    };
    const before = await send();
    await p.api.reset();
    expect(await send()).not.toBe(before);
  });

  it('goes on with a half-sent job after a restart on the same database', async () => {
    const FOLLOWERS = 30_000;
    const db = new Database(':memory:');
    p = await startPlatform({ followers: FOLLOWERS, db });
    const token = await p.token();
    await p.call('message/mass/speed/set', { token, body: { speed: 4 } });
    const { msg_id } = await p.call('message/mass/sendall', {
      token,
      body: { filter: { is_to_all: true }, ...TEXT },
    });
    await p.clock.advance(MINUTE / 10);
    const before = p.timeline.length;
    expect(before).toBeLessThan(FOLLOWERS);
    await p.api.close();

    const again = await createPlatformApi({
      stores: p.storage.platform,
      atomically: (work) => p.storage.atomically(work),
      savepoint: (work) => p.storage.savepoint(work),
      clock: p.clock,
      followers: p.followers,
      timeline: {
        append: async (openid, item) => void p.timeline.push({ openid, ...item }),
        appendMany: async (openids, item) =>
          void p.timeline.push(...openids.map((openid) => ({ openid, ...item }))),
      },
      callback: { postEvent: async (fields) => void p.posted.push(fields) },
      events: { emit: () => {} },
      account: { appId: APP_ID, appSecret: APP_SECRET, type: 'service' },
    });
    await p.clock.advance(MINUTE);
    expect(p.timeline).toHaveLength(FOLLOWERS);
    expect(p.posted.find((e) => e.MsgID === msg_id)).toMatchObject({ SentCount: FOLLOWERS });
    await again.close();
  });
});
