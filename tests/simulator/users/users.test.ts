import { afterEach, describe, expect, it } from 'vitest';
import { OPENID_PATTERN } from '../../../src/simulator/users/population.ts';
import { createUsers } from '../../../src/simulator/users/users.ts';
import type { SimStorage } from '../../../src/simulator/store/sim-storage.ts';
import { DATABASES, testSimPlace, type TestSimPlace } from '../sim-storage-fixture.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const clock = { now: () => NOW };
const POPULATION = 50;
const SEED = 'demo';

const places: TestSimPlace[] = [];
const opened: SimStorage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
  await Promise.all(places.splice(0).map((p) => p.dispose()));
});

describe.each(DATABASES)('simulated users on %s', (kind) => {
  async function open(place?: TestSimPlace) {
    const at = place ?? (await testSimPlace(kind));
    if (!place) places.push(at);
    const storage = await at.open();
    opened.push(storage);
    return { place: at, storage, users: createUsers({ store: storage.users, clock }) };
  }
  it('gives a population OpenIDs of the platform shape, the same for the same seed', async () => {
    const a = await open();
    const b = await open();
    const first = await a.users.populate({ count: POPULATION, seed: SEED });
    const second = await b.users.populate({ count: POPULATION, seed: SEED });
    expect(first.openids).toEqual(second.openids);
    expect(new Set(first.openids).size).toBe(POPULATION);
    for (const openid of first.openids) expect(openid).toMatch(OPENID_PATTERN);
    expect((await a.users.get(first.openids[0]!))?.nickname).toBe(
      (await b.users.get(second.openids[0]!))?.nickname,
    );
  });

  it('gives another seed other OpenIDs, and creates a repeated population only once', async () => {
    const { users } = await open();
    const one = await users.populate({ count: 10, seed: 'one' });
    const other = await users.populate({ count: 10, seed: 'two' });
    expect(other.openids.filter((o) => one.openids.includes(o))).toEqual([]);
    expect((await users.populate({ count: 10, seed: 'one' })).created).toBe(0);
    expect((await users.list(undefined, 100)).total).toBe(20);
  });

  it('keeps users and their state across a restart', async () => {
    const first = await open();
    const alice = await first.users.create({ nickname: 'Alice', tags: ['vip'] });
    await first.users.change(alice.openid, {
      subscribed: true,
      subscribeTime: NOW,
      qrScene: 'poster',
    });
    await first.storage.close();
    const again = await open(first.place);
    expect(await again.users.get(alice.openid)).toMatchObject({
      nickname: 'Alice',
      language: 'zh_CN',
      tags: ['vip'],
      subscribed: true,
      subscribeTime: NOW,
      qrScene: 'poster',
    });
  });

  it('pages followers only, in OpenID order, going on after one who unfollowed', async () => {
    const { users } = await open();
    const { openids } = await users.populate({ count: 6, seed: SEED });
    const sorted = [...openids].sort();
    for (const openid of sorted.slice(0, 5)) await users.change(openid, { subscribed: true });
    const first = await users.page(undefined, 2);
    expect(first).toEqual({ total: 5, openids: sorted.slice(0, 2) });
    await users.change(sorted[1]!, { subscribed: false });
    expect((await users.page(sorted[1], 10)).openids).toEqual(sorted.slice(2, 5));
  });
});
