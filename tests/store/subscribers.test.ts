import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/store/storage.ts';
import { createSubscriberStore, type SubscriberStore } from '../../src/store/subscribers.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';

const NOW = new Date('2026-03-10T04:00:00Z');
const LATER = new Date('2026-03-11T04:00:00Z');

describe.each(DATABASES)('subscribers on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  let subscribers: SubscriberStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-subscribers-'));
    storage = await openTestStorage(kind, dir);
    subscribers = createSubscriberStore(storage);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a subscriber on first save and changes only what a later save names', async () => {
    expect(await subscribers.get('api', 'a')).toBeUndefined();
    const created = await subscribers.save('api', 'a', { topics: ['events'] }, NOW);
    expect(created).toEqual({
      channel: 'api',
      userId: 'a',
      state: 'active',
      topics: ['events'],
      createdAt: NOW,
      updatedAt: NOW,
      timeZone: undefined,
      quiet: undefined,
      digest: 'off',
      failures: 0,
    });
    await subscribers.save('api', 'a', { state: 'unsubscribed' }, LATER);
    expect(await subscribers.get('api', 'a')).toMatchObject({
      state: 'unsubscribed',
      topics: ['events'],
      createdAt: NOW,
      updatedAt: LATER,
    });
  });

  it('sets preferences, clears one with null, and creates an unknown user unsubscribed', async () => {
    const fresh = await subscribers.setPreferences('api', 'new', { digest: 'daily' }, NOW);
    expect(fresh).toMatchObject({ state: 'unsubscribed', topics: [], digest: 'daily' });

    await subscribers.save('api', 'b', { state: 'active' }, NOW);
    const quiet = { start: 22 * 60, end: 7 * 60 };
    await subscribers.setPreferences('api', 'b', { timeZone: 'Europe/Berlin', quiet }, NOW);
    const kept = await subscribers.setPreferences('api', 'b', { digest: 'daily' }, LATER);
    expect(kept).toMatchObject({
      state: 'active',
      timeZone: 'Europe/Berlin',
      quiet,
      digest: 'daily',
      updatedAt: LATER,
    });
    const cleared = await subscribers.setPreferences('api', 'b', { quiet: null }, LATER);
    expect(cleared.quiet).toBeUndefined();
    expect(cleared.timeZone).toBe('Europe/Berlin');
    expect(
      (await subscribers.setPreferences('api', 'b', { timeZone: null }, LATER)).timeZone,
    ).toBeUndefined();
  });

  it('keeps every field when changes to one subscriber arrive at once', async () => {
    await subscribers.save('api', 'a', { state: 'active' }, NOW);
    await Promise.all([
      subscribers.save('api', 'a', { topics: ['events'] }, LATER),
      subscribers.setPreferences('api', 'a', { digest: 'daily' }, LATER),
      subscribers.setPreferences('api', 'a', { timeZone: 'Asia/Tokyo' }, LATER),
      subscribers.save('api', 'a', { state: 'active' }, LATER),
    ]);
    expect(await subscribers.get('api', 'a')).toMatchObject({
      state: 'active',
      topics: ['events'],
      digest: 'daily',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('lists by channel, state and a topic the subscriber named, and pages on', async () => {
    await subscribers.save('api', 'a', { state: 'active', topics: ['events'] }, NOW);
    await subscribers.save('api', 'b', { state: 'active', topics: [] }, NOW);
    await subscribers.save('api', 'c', { state: 'unsubscribed', topics: ['events'] }, NOW);
    await subscribers.save('wechat', 'd', { state: 'active', topics: ['events', 'guides'] }, NOW);
    const ids = async (options: Parameters<SubscriberStore['list']>[0]) =>
      (await subscribers.list(options)).map((s) => `${s.channel}:${s.userId}`);
    expect(await ids({ channel: 'api' })).toEqual(['api:a', 'api:b', 'api:c']);
    expect(await ids({ topic: 'events', state: 'active' })).toEqual(['api:a', 'wechat:d']);
    expect(await ids({ topic: 'guides' })).toEqual(['wechat:d']);
    expect(await ids({ state: 'unsubscribed' })).toEqual(['api:c']);
    expect(await ids({ channel: 'api', limit: 1, after: { channel: 'api', userId: 'a' } })).toEqual(
      ['api:b'],
    );
    expect(await ids({ after: { channel: 'api', userId: 'c' } })).toEqual(['wechat:d']);
  });

  it('pages through every subscriber once, whatever the case and signs of their ids', async () => {
    const ids = ['b', 'B', 'a', '_x', 'Z', 'é', '1'];
    for (const user of ids) await subscribers.save('api', user, { state: 'active' }, NOW);
    const all = (await subscribers.list()).map((s) => s.userId);
    expect([...all].sort()).toEqual([...ids].sort());
    const paged: string[] = [];
    let after: { channel: string; userId: string } | undefined;
    for (let page = await subscribers.list({ limit: 2 }); page.length;) {
      paged.push(...page.map((s) => s.userId));
      after = page.at(-1)!;
      page = await subscribers.list({ limit: 2, after });
    }
    expect(paged).toEqual(all);
  });
});
