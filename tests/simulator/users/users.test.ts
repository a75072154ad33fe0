import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OPENID_PATTERN } from '../../../src/simulator/users/population.ts';
import { createUsers } from '../../../src/simulator/users/users.ts';
import { openSimDatabase } from '../../../src/simulator/store/sim-database.ts';
import { createUserStore } from '../../../src/simulator/store/user-store.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const clock = { now: () => NOW };
const POPULATION = 50;
const SEED = 'demo';

const dirs: string[] = [];
async function open(dir?: string) {
  const at = dir ?? (await mkdtemp(join(tmpdir(), 'oasim-sim-users-')));
  if (!dir) dirs.push(at);
  const db = openSimDatabase(at);
  return { dir: at, db, users: createUsers({ store: createUserStore(db), clock }) };
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('simulated users', () => {
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
    first.db.close();
    const again = await open(first.dir);
    expect(await again.users.get(alice.openid)).toMatchObject({
      nickname: 'Alice',
      language: 'zh_CN',
      tags: ['vip'],
      subscribed: true,
      subscribeTime: NOW,
      qrScene: 'poster',
    });
    again.db.close();
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
