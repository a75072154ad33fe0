import { afterEach, describe, expect, it } from 'vitest';
import type { LoadReport } from '../../../src/simulator/actions/load-run.ts';
import { UNAVAILABLE_TEXT } from '../../../src/simulator/callback/target.ts';
import type { TimelineItem } from '../../../src/simulator/store/timeline-store.ts';
import { act, SIM_TOKEN, startWorld, type SimWorld } from '../sim-fixture.ts';

/** Later than the platform's 5 s wait: the platform counts the answer as none. */
const LATE_MS = 6000;
const TRIES = 3;
const TEXTS = ['help', 'hello'];
/** What the sample account answers to `help` and to a greeting: both are shown as text. */
const SHOWN = 'shown';

let world: SimWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A population of `count` users who each follow the account over the wire. */
async function followers(w: SimWorld, count: number, seed = 'load'): Promise<string[]> {
  const made = await w.api<{ openids: string[] }>('POST', '/users', { count, seed });
  for (const openid of made.json.openids) await act(w, openid, { type: 'follow' });
  return made.json.openids;
}

const load = (w: SimWorld, body: unknown) =>
  w.api<{ load: LoadReport; error?: string }>('POST', '/load', body);

/** Every item of a user's timeline, oldest first. */
async function allItems(w: SimWorld, openid: string): Promise<TimelineItem[]> {
  const { json } = await w.api<{ items: TimelineItem[] }>(
    'GET',
    `/users/${openid}/timeline?limit=200`,
  );
  return json.items.reverse();
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('a load run', () => {
  it('runs the conversations asked for, counts that add up, and timelines that hold them', async () => {
    world = await startWorld({ mode: 'safe' });
    const openids = await followers(world, 6);
    const CONVERSATIONS = 20;
    const { status, json } = await load(world, {
      users: 6,
      text: TEXTS,
      conversations: CONVERSATIONS,
      concurrency: 4,
    });
    expect(status).toBe(200);
    const report = json.load;
    expect(report).toMatchObject({ state: 'done', users: 6, concurrency: 4 });
    expect(report.conversations).toBe(CONVERSATIONS);
    expect(sum(report.outcomes)).toBe(CONVERSATIONS);
    expect(report.outcomes[SHOWN]).toBe(CONVERSATIONS);
    expect(report.tries).toBe(CONVERSATIONS);
    expect(report.perSecond).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);

    // Each conversation is on its user's timeline: what they said, and the reply shown,
    // both with the raw exchange.
    let said = 0;
    let replies = 0;
    for (const openid of openids) {
      const items = (await allItems(world, openid)).slice(2); // the follow and its welcome
      const mine = items.filter((i) => i.source === 'user');
      said += mine.length;
      replies += items.filter((i) => i.source === 'reply').length;
      for (const item of mine) expect(TEXTS).toContain(item.action?.text);
    }
    expect(said).toBe(CONVERSATIONS);
    expect(replies).toBe(CONVERSATIONS);
    const [first] = openids;
    const last = (await allItems(world, first!)).at(-1)!;
    const opened = await world.api<{ item: TimelineItem }>(
      'GET',
      `/users/${first}/timeline/${last.id}`,
    );
    expect(opened.json.item.record).toMatchObject({ encrypted: true, verdict: { outcome: SHOWN } });
  });

  it('runs for the seconds asked, then answers the report', async () => {
    world = await startWorld();
    const openids = await followers(world, 2);
    const { status, json } = await load(world, { users: openids, text: 'help', seconds: 1 });
    expect(status).toBe(200);
    expect(json.load.state).toBe('done');
    expect(json.load.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(json.load.conversations).toBeGreaterThan(0);
    expect(sum(json.load.outcomes)).toBe(json.load.conversations);
    // A user has at most one conversation under way: two users, two at once.
    expect(json.load.concurrency).toBe(2);
  });

  it('counts a bot that does not answer in time as unavailable', async () => {
    world = await startWorld();
    const [openid] = await followers(world, 1);
    await world.api('POST', '/faults', { callback: { delayMs: LATE_MS, times: TRIES } });
    const { json } = await load(world, {
      users: [openid],
      text: 'help',
      conversations: 2,
      concurrency: 1,
    });
    expect(json.load.outcomes).toMatchObject({ unavailable: 1, shown: 1 });
    expect(json.load.tries).toBe(TRIES + 1);
    const items = await allItems(world, openid!);
    const errors = items.filter((i) => i.source === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ error: { kind: 'unavailable' } });
    expect(errors[0]!.message?.text).toBe(UNAVAILABLE_TEXT);
  });

  it('counts a bot that cannot be reached as unavailable, every try spent', async () => {
    world = await startWorld({ targetUrl: () => 'http://127.0.0.1:1/wechat' });
    const made = await world.api<{ openids: string[] }>('POST', '/users', {
      count: 2,
      seed: 'away',
    });
    // Following fails too (nothing listens), but the user follows on the platform's side.
    for (const openid of made.json.openids) await act(world, openid, { type: 'follow' });
    const { json } = await load(world, { users: 2, text: 'help', conversations: 4 });
    expect(json.load.outcomes).toMatchObject({ unavailable: 4, shown: 0 });
    expect(json.load.tries).toBe(4 * TRIES);
  });

  it('runs one load at a time: a second is refused, and a load can be stopped', async () => {
    world = await startWorld();
    await followers(world, 2);
    const none = await world.api<{ error: string }>('GET', '/load');
    expect(none.status).toBe(404);
    expect(none.json.error).toMatch(/no load has run/);
    const started = await load(world, { users: 2, text: 'help', seconds: 30, detach: true });
    expect(started.status).toBe(202);
    expect(started.json.load.state).toBe('running');
    const second = await load(world, { users: 1, text: 'help', conversations: 1 });
    expect(second.status).toBe(409);
    expect(second.json.error).toMatch(/a load is under way/);
    const seen = await world.api<{ load: LoadReport }>('GET', '/load');
    expect(seen.json.load.state).toBe('running');
    const stopped = await world.api<{ load: LoadReport }>('DELETE', '/load');
    expect(stopped.status).toBe(200);
    expect(stopped.json.load).toMatchObject({ state: 'stopped', reason: /DELETE/ });
    expect(sum(stopped.json.load.outcomes)).toBe(stopped.json.load.conversations);
    const again = await world.api('DELETE', '/load');
    expect(again.status).toBe(409);
    const next = await load(world, { users: 1, text: 'help', conversations: 1 });
    expect(next.json.load).toMatchObject({ state: 'done', conversations: 1 });
  });

  it.each([
    [{ users: 1, text: 'help' }, 400, /conversations .* or seconds/],
    [{ users: 1, text: 'help', conversations: 1, seconds: 1 }, 400, /one of the two/],
    [{ users: 10_001, text: 'help', seconds: 1 }, 400, /users is at most 10000/],
    [{ users: 1, text: 'help', seconds: 301 }, 400, /seconds is at most 300/],
    [{ users: 1, text: 'help', seconds: 1, concurrency: 257 }, 400, /concurrency is at most 256/],
    [{ users: 1, text: '', seconds: 1 }, 400, /text must not be empty/],
    [{ users: ['nobody'], text: 'help', seconds: 1 }, 400, /not an OpenID/],
    [{ users: 1, text: 'help', seconds: 1, speed: 2 }, 400, /speed/],
    [{ users: 3, text: 'help', seconds: 1 }, 409, /only 1 simulated users follow/],
  ])('refuses %j with %i, in words', async (body, status, message) => {
    world ??= await startWorld();
    await followers(world, 1, 'refusals');
    const { status: got, json } = await load(world, body);
    expect(got).toBe(status);
    expect(json.error).toMatch(message);
  });

  it('refuses a user who is unknown (404) or does not follow (409), and a caller without a token', async () => {
    world = await startWorld();
    const made = await world.api<{ openids: string[] }>('POST', '/users', {
      count: 1,
      seed: 'shy',
    });
    const [shy] = made.json.openids;
    const unknown = `o${'x'.repeat(27)}`;
    const missing = await load(world, { users: [unknown], text: 'help', seconds: 1 });
    expect(missing.status).toBe(404);
    // A long list is read (past the control API's 64 KiB), then refused for its first stranger.
    const many = Array.from({ length: 5_000 }, (_, i) => `o${String(i).padStart(27, '0')}`);
    const long = await load(world, { users: many, text: 'help', seconds: 1 });
    expect(long.status).toBe(404);
    expect(long.json.error).toMatch(/no user o0+/);
    const notFollowing = await load(world, { users: [shy], text: 'help', seconds: 1 });
    expect(notFollowing.status).toBe(409);
    expect(notFollowing.json.error).toMatch(/does not follow the account/);
    const anonymous = await fetch(`${world.simUrl}/sim/api/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_TOKEN}x` },
      body: JSON.stringify({ users: 1, text: 'help', seconds: 1 }),
    });
    expect(anonymous.status).toBe(401);
  });
});
