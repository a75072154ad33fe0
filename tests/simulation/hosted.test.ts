import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { UNAVAILABLE_TEXT } from '../../src/simulator/callback/target.ts';
import { admin, postgresUrl } from '../helpers/postgres.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

/** A Monday noon in Beijing. */
const START = new Date('2026-11-23T04:00:00Z');
const SIX_HOURS = 6 * 3_600_000;
const FOLLOWERS = 5;
const TITLE_MAX_CHARS = 64;
const WELCOME = 'Welcome';
/** The default schedule, 0 9 * * * in Asia/Shanghai, the day after START. */
const NINE_BEIJING_NEXT_DAY = '2026-11-24T01:00:00.000Z';
/** Paced sends leave the dispatcher over seconds of real time: polls wait that long. */
const PACED = { timeout: 20_000 };

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

/** The service as `npm start` runs it: the simulated platform hosted on the same port. */
async function startHosted(env: Record<string, string> = {}) {
  const clock = createVirtualClock({ start: START });
  running = await startTempService({
    clock,
    env: {
      SIMULATOR: 'on',
      ACCOUNT_TYPE: 'service',
      LOG_LEVEL: process.env.DBG ?? 'silent',
      ...env,
    },
  });
  const { url, service } = running;
  const token = service.adminToken!.token;
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as T };
  };
  return { clock, service, call };
}

type Call = Awaited<ReturnType<typeof startHosted>>['call'];

/**
 * Waits until no delivery of the broadcast is pending: a running worker may hold the
 * batch (upload, then send) while `drain` finds nothing left to claim.
 */
async function allHandedOver(call: Call, id: number, options?: { timeout: number }) {
  await expect
    .poll(
      async () =>
        (
          await call<{ broadcast: { counts: { pending: number } } }>(
            'GET',
            `/admin/api/broadcasts/${id}`,
          )
        ).json.broadcast.counts.pending,
      options,
    )
    .toBe(0);
}

/** `count` simulated users of one seed, each followed over the wire. */
async function followingPopulation(call: Call, seed: string, count = FOLLOWERS) {
  const { json } = await call<{ openids: string[] }>('POST', '/sim/api/users', {
    count,
    seed,
  });
  for (const openid of json.openids)
    await call('POST', `/sim/api/users/${openid}/actions`, { type: 'follow' });
  return json;
}

/** The platform's counts in a broadcast's report (MASSSENDJOBFINISH), once they came. */
async function platformReport(call: Call, id: number) {
  const { json } = await call<{ broadcast: { platform?: unknown } }>(
    'GET',
    `/admin/api/broadcasts/${id}`,
  );
  return json.broadcast.platform;
}

type Item = {
  source: string;
  message?: { msgtype?: string; text?: string; articles?: { title: string }[] };
};

describe('the simulated platform hosted beside the account (npm start)', () => {
  it('lets a simulated user follow over the wire and get the follow reply, with no configuration', async () => {
    const { call } = await startHosted();
    const {
      json: { user },
    } = await call<{ user: { openid: string } }>('POST', '/sim/api/users', { nickname: 'Alice' });
    const { status } = await call('POST', `/sim/api/users/${user.openid}/actions`, {
      type: 'follow',
    });
    expect(status).toBe(200);
    const { json } = await call<{ items: Item[] }>('GET', `/sim/api/users/${user.openid}/timeline`);
    const replies = json.items.filter((item) => item.source === 'reply');
    expect(JSON.stringify(replies)).toContain(WELCOME);
  });

  it("publishes the account's menu to the hosted platform through the API client", async () => {
    const { call } = await startHosted();
    const published = await call<{ published: number }>('POST', '/admin/api/menu');
    expect(published.status).toBe(200);
    const { json } = await call<{ menu?: unknown }>('GET', '/sim/api/platform');
    expect(JSON.stringify(json)).toContain('LATEST');
  });

  it('puts a broadcast on every follower timeline once, and the platform report fills the broadcast', async () => {
    const { call, service } = await startHosted();
    const created = await followingPopulation(call, 'broadcast');
    const {
      status,
      json: { broadcast },
    } = await call<{ broadcast: { id: number } }>('POST', '/admin/api/broadcasts');
    expect(status).toBe(201);
    await service.broadcasting.dispatcher.drain();
    await allHandedOver(call, broadcast.id);
    // The platform delivers at its mass-send speed on the shared clock, then reports.
    await call('POST', '/sim/api/clock', { advance: '10m' });
    for (const openid of created.openids) {
      const { json } = await call<{ items: Item[] }>('GET', `/sim/api/users/${openid}/timeline`);
      expect(json.items.filter((item) => item.source === 'mass')).toHaveLength(1);
    }
    await expect
      .poll(() => platformReport(call, broadcast.id))
      .toMatchObject({ sent: FOLLOWERS, failed: 0 });
  });

  it('mass-sends the broadcast entries as mpnews article cards, once to each follower, as the report counts', async () => {
    const { call, service } = await startHosted();
    const created = await followingPopulation(call, 'cards');
    const {
      json: { broadcast },
    } = await call<{ broadcast: { id: number; reply: { articles: { title: string }[] } } }>(
      'POST',
      '/admin/api/broadcasts',
    );
    const titles = broadcast.reply.articles.map((a) => a.title);
    expect(titles.length).toBeGreaterThan(0);
    await service.broadcasting.dispatcher.drain();
    await allHandedOver(call, broadcast.id);
    await call('POST', '/sim/api/clock', { advance: '10m' });
    let delivered = 0;
    for (const openid of created.openids) {
      const { json } = await call<{ items: Item[] }>('GET', `/sim/api/users/${openid}/timeline`);
      const mass = json.items.filter((item) => item.source === 'mass');
      expect(mass.map((item) => item.message?.msgtype)).toEqual(['mpnews']);
      // A title over the platform's 64 characters arrives clipped, ending in "…".
      const shown = mass[0]?.message?.articles?.map((a) => a.title) ?? [];
      expect(shown).toHaveLength(titles.length);
      for (const title of shown) expect([...title].length).toBeLessThanOrEqual(TITLE_MAX_CHARS);
      shown.forEach((title, i) =>
        expect(titles[i]!.startsWith(title.replace(/…$/, ''))).toBe(true),
      );
      delivered += mass.length;
    }
    await expect
      .poll(() => platformReport(call, broadcast.id))
      .toMatchObject({ sent: delivered, failed: 0 });
  });

  it('fires every schedule tick inside a 36-hour jump once, in order, each at its own time', async () => {
    const { call } = await startHosted({ BROADCAST_CRON: '0 */6 * * *' });
    const { json: moved } = await call<{ now: string }>('POST', '/sim/api/clock', {
      advance: '36h',
    });
    expect(Date.parse(moved.now)).toBeGreaterThanOrEqual(START.getTime() + 36 * 3_600_000);
    const { json } = await call<{
      items: { kind: string; tickAt: string; createdAt: string }[];
    }>('GET', '/admin/api/broadcasts?limit=100');
    const ticks = json.items
      .filter((b) => b.kind === 'scheduled')
      .map((b) => ({ tick: Date.parse(b.tickAt), created: Date.parse(b.createdAt) }))
      .sort((a, b) => a.tick - b.tick);
    expect(ticks).toHaveLength(36 / 6);
    for (const [i, { tick, created }] of ticks.entries()) {
      expect(created).toBe(tick);
      if (i > 0) expect(tick - ticks[i - 1]!.tick).toBe(SIX_HOURS);
    }
  });

  it('delivers the 09:00 broadcast of a one-day jump once, at 09:00', async () => {
    const { call } = await startHosted();
    const {
      json: { user },
    } = await call<{ user: { openid: string } }>('POST', '/sim/api/users', { nickname: 'Ann' });
    await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'follow' });
    // A message opens the platform's 48-hour window for customer-service messages.
    await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'text', text: 'hello' });
    await call('POST', '/sim/api/clock', { advance: '1d' });
    const { json } = await call<{ items: (Item & { at: string })[] }>(
      'GET',
      `/sim/api/users/${user.openid}/timeline`,
    );
    // A lone recipient gets the broadcast as a customer-service message (mass/send needs 2).
    const pushed = json.items.filter(
      (item) => item.source === 'custom' && Date.parse(item.at) > START.getTime() + SIX_HOURS,
    );
    expect(pushed.map((item) => item.at)).toEqual([NINE_BEIJING_NEXT_DAY]);
  });
});

type Report = {
  status: string;
  counts: { sent: number; failed: number; pending: number };
  channelErrors?: Record<string, { errcode?: number; count: number }>;
  platform?: { total: number; sent: number; failed: number };
};

describe.skipIf(!postgresUrl)("the hosted platform's state on PostgreSQL", () => {
  it('keeps users and timelines in SIMULATOR_DATABASE_URL, a broadcast on each timeline once', async () => {
    const schema = `h_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA "${schema}"`);
    const url = new URL(postgresUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    try {
      const { call, service } = await startHosted({ SIMULATOR_DATABASE_URL: url.toString() });
      const created = await followingPopulation(call, 'pg');
      const {
        json: { broadcast },
      } = await call<{ broadcast: { id: number } }>('POST', '/admin/api/broadcasts');
      await service.broadcasting.dispatcher.drain();
      await allHandedOver(call, broadcast.id);
      await call('POST', '/sim/api/clock', { advance: '10m' });
      await expect
        .poll(() => platformReport(call, broadcast.id))
        .toMatchObject({ sent: FOLLOWERS, failed: 0 });
      const sql = new pg.Client({ connectionString: url.toString() });
      await sql.connect();
      const { rows } = await sql.query<{ openid: string; n: number }>(
        `SELECT u.openid, count(t.id)::int AS n FROM sim_users u
         LEFT JOIN sim_timeline t ON t.openid = u.openid AND t.source = 'mass'
         GROUP BY u.openid ORDER BY u.openid`,
      );
      await sql.end();
      expect(rows).toEqual([...created.openids].sort().map((openid) => ({ openid, n: 1 })));
    } finally {
      await running?.cleanup();
      running = undefined;
      await admin(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });
});

describe('faults through the hosted platform', () => {
  it('pauses the broadcast on a 45009 between two mass sends, sends the rest after the pause, once to each follower', async () => {
    // Two deliveries a second: each mass/send carries 2 followers, so 6 take 3 calls.
    const COUNT = 6;
    const PER_SEND = 2;
    const { call } = await startHosted({ DISPATCH_RATE_PER_SECOND: String(PER_SEND) });
    const created = await followingPopulation(call, 'quota', COUNT);
    // The first mass/send goes through; the second is refused: the daily quota is spent.
    const fault = { api: 'message/mass/send', errcode: 45009, times: 1, after: 1 };
    expect((await call('POST', '/sim/api/faults', fault)).status).toBe(201);
    const {
      json: { broadcast },
    } = await call<{ broadcast: { id: number } }>('POST', '/admin/api/broadcasts');
    const report = async () =>
      (await call<{ broadcast: Report }>('GET', `/admin/api/broadcasts/${broadcast.id}`)).json
        .broadcast;

    // The account pauses the channel for an hour (its policy for 45009): the report says
    // why, no follower is counted against, and the rest waits.
    await expect
      .poll(async () => (await report()).channelErrors?.wechat, PACED)
      .toMatchObject({ errcode: 45009, count: 1 });
    expect((await report()).counts).toMatchObject({
      sent: PER_SEND,
      failed: 0,
      pending: COUNT - PER_SEND,
    });

    await call('POST', '/sim/api/clock', { advance: '2h' });
    await allHandedOver(call, broadcast.id, PACED);
    await call('POST', '/sim/api/clock', { advance: '10m' });
    for (const openid of created.openids) {
      const { json } = await call<{ items: Item[] }>('GET', `/sim/api/users/${openid}/timeline`);
      expect(json.items.filter((item) => item.source === 'mass')).toHaveLength(1);
    }
    await expect
      .poll(async () => (await report()).platform)
      .toEqual({ total: COUNT, sent: COUNT, failed: 0, filtered: COUNT });
    expect(await report()).toMatchObject({
      status: 'done',
      counts: { sent: COUNT, failed: 0, pending: 0 },
    });
    const { json: platform } = await call<{
      massJobs: unknown[];
      calls: { api: string; errcode: number }[];
    }>('GET', '/sim/api/platform');
    expect(platform.massJobs).toHaveLength(COUNT / PER_SEND);
    const sends = platform.calls.filter((c) => c.api === 'message/mass/send').reverse();
    expect(sends.map((c) => c.errcode)).toEqual([0, 45009, 0, 0]);
  });

  it('tries a slow callback three times with one MsgId, shows the platform error, and the account answers once', async () => {
    const { call, service } = await startHosted();
    const {
      json: { user },
    } = await call<{ user: { openid: string } }>('POST', '/sim/api/users', { nickname: 'Slow' });
    await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'follow' });
    const fault = { callback: { delayMs: 6000, times: 3 } };
    expect((await call('POST', '/sim/api/faults', fault)).status).toBe(201);
    const { json } = await call<{
      exchange: {
        tries: { request: string; status?: number; response?: string; failure?: string }[];
        verdict: { outcome: string };
      };
    }>('POST', `/sim/api/users/${user.openid}/actions`, { type: 'text', text: 'help' });

    const { tries, verdict } = json.exchange;
    expect(verdict.outcome).toBe('unavailable');
    expect(tries).toHaveLength(3);
    const msgIds = tries.map((t) => /<MsgId>(?:<!\[CDATA\[)?(\d+)/.exec(t.request)?.[1]);
    expect(msgIds[0]).toBeDefined();
    expect(new Set(msgIds).size).toBe(1);
    // The account received and answered every try (late, in the platform's view), each
    // retry with the reply of the first.
    expect(tries.map((t) => t.status)).toEqual([200, 200, 200]);
    expect(tries.every((t) => /no answer within 5 s/.test(t.failure ?? ''))).toBe(true);
    expect(new Set(tries.map((t) => t.response)).size).toBe(1);

    const { json: timeline } = await call<{ items: (Item & { error?: { kind: string } })[] }>(
      'GET',
      `/sim/api/users/${user.openid}/timeline`,
    );
    const [last] = timeline.items;
    expect(last).toMatchObject({ source: 'error', error: { kind: 'unavailable' } });
    expect(JSON.stringify(last)).toContain(UNAVAILABLE_TEXT);

    // The engine ran once: one inbound "help" in the account's conversation log.
    await service.conversations.flush();
    const inbound = service
      .db!.prepare<[string], { body: string }>(
        "SELECT body FROM conversation_log WHERE user_id = ? AND direction = 'in'",
      )
      .all(user.openid)
      .map((row) => JSON.parse(row.body) as { kind?: string; text?: string });
    expect(inbound.filter((i) => i.kind === 'text' && i.text === 'help')).toHaveLength(1);
  });

  it('mass-sends to a tag made through the tags API, and only its members receive it', async () => {
    const { call } = await startHosted();
    const created = await followingPopulation(call, 'tagged');
    const { WECHAT_APPID: appid, WECHAT_APPSECRET: secret } = running!.config;
    const cgi = async (api: string, body?: unknown) => {
      const res = await fetch(`${running!.url}/cgi-bin/${api}`, {
        method: body === undefined ? 'GET' : 'POST',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const { access_token: token } = await cgi(
      `token?grant_type=client_credential&appid=${appid!}&secret=${secret!}`,
    );
    const tag = (await cgi(`tags/create?access_token=${String(token)}`, {
      tag: { name: 'press' },
    })) as { tag: { id: number } };
    const members = created.openids.slice(0, 2);
    const tagged = await cgi(`tags/members/batchtagging?access_token=${String(token)}`, {
      openid_list: members,
      tagid: tag.tag.id,
    });
    expect(tagged.errcode).toBe(0);
    const sent = await cgi(`message/mass/sendall?access_token=${String(token)}`, {
      filter: { is_to_all: false, tag_id: tag.tag.id },
      msgtype: 'text',
      text: { content: 'For the press' },
    });
    expect(sent).toMatchObject({ errcode: 0 });
    await call('POST', '/sim/api/clock', { advance: '10m' });
    for (const openid of created.openids) {
      const { json } = await call<{ items: Item[] }>('GET', `/sim/api/users/${openid}/timeline`);
      const mass = json.items.filter((item) => item.source === 'mass');
      expect(mass.map((item) => item.message?.text)).toEqual(
        members.includes(openid) ? ['For the press'] : [],
      );
    }
    const { json: platform } = await call<{
      massJobs: { msgId: number; status: string; sent: number; done: number }[];
    }>('GET', '/sim/api/platform');
    expect(platform.massJobs.find((job) => job.msgId === sent.msg_id)).toMatchObject({
      status: 'SEND_SUCCESS',
      done: members.length,
      sent: members.length,
    });
  });
});
