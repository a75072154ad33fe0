import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimStorage } from '../../../src/simulator/store/sim-storage.ts';
import { DATABASES, openTestSimStorage, testSimPlace } from '../sim-storage-fixture.ts';

const NOW = new Date('2026-11-23T04:00:00Z');
const AT = NOW.toISOString();
const MINUTE = 60_000;
const openid = (n: number) => `o${String(n).padStart(27, '0')}`;
const TEXT = { msgtype: 'text', text: 'hello' } as const;

describe.each(DATABASES)("the simulator's stores on %s", (kind) => {
  let s: SimStorage;
  beforeEach(async () => {
    s = await openTestSimStorage(kind);
  });
  afterEach(() => s.close());

  it('appends many timeline items at once, in order, each with its own id', async () => {
    const item = (n: number) => ({
      openid: openid(n),
      at: AT,
      source: 'mass' as const,
      message: { ...TEXT },
      record: { msg_id: 7 },
    });
    const stored = await s.timeline.appendMany([item(2), item(1), item(2)]);
    expect(stored.map((i) => i.openid)).toEqual([openid(2), openid(1), openid(2)]);
    const ids = stored.map((i) => i.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(await s.timeline.page(openid(2), 10)).toEqual([stored[2], stored[0]]);
  });

  it('undoes a savepoint that throws, and the transaction goes on', async () => {
    const item = (n: number) => ({ openid: openid(n), at: AT, source: 'mass' as const });
    await s.atomically(async () => {
      await s.timeline.append(item(1));
      await expect(
        s.savepoint(async () => {
          await s.timeline.append(item(2));
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await s.timeline.append(item(3));
    });
    expect(await s.timeline.page(openid(1), 10)).toHaveLength(1);
    expect(await s.timeline.page(openid(2), 10)).toEqual([]);
    expect(await s.timeline.page(openid(3), 10)).toHaveLength(1);
  });

  it('counts monthly receipts many at once, an OpenID named twice twice', async () => {
    const MONTH = '2026-11';
    await s.platform.mass.receiveAll([openid(1), openid(2), openid(1)], MONTH);
    await s.platform.mass.receiveAll([openid(2)], MONTH);
    const counts = await s.platform.mass.receiptsThisMonth(
      [openid(1), openid(2), openid(3)],
      MONTH,
    );
    expect(Object.fromEntries(counts)).toEqual({ [openid(1)]: 2, [openid(2)]: 2 });
  });

  it('keeps a timeline newest first, and a settled item shares its record with what was seen', async () => {
    const sent = await s.timeline.append({
      openid: openid(1),
      at: AT,
      source: 'user',
      action: { type: 'text' },
    });
    const record = { verdict: 'ok', tries: 1 };
    const seen = await s.timeline.settle(sent.id, record, {
      openid: openid(1),
      at: AT,
      source: 'reply',
      message: { msgtype: 'text', text: 'hi' },
    });
    const page = await s.timeline.page(openid(1), 10);
    expect(page.map((i) => i.id)).toEqual([seen!.id, sent.id]);
    expect(page.map((i) => i.record)).toEqual([record, record]);
    expect(await s.timeline.item(sent.id)).toMatchObject({
      source: 'user',
      action: { type: 'text' },
    });
    expect(await s.timeline.page(openid(1), 10, seen!.id)).toHaveLength(1);
    expect(await s.timeline.page(openid(2), 10)).toEqual([]);
  });

  it('rolls back the whole of atomically() on PostgreSQL, and commits it whole on both', async () => {
    await s.atomically(async () => {
      await s.users.insert([
        { openid: openid(1), nickname: 'A', language: 'en', tags: [], createdAt: NOW },
      ]);
      await s.users.update(openid(1), { subscribed: true });
    });
    expect(await s.users.counts()).toEqual({ total: 1, followers: 1 });
    if (s.kind !== 'postgres') return;
    await expect(
      s.atomically(async () => {
        await s.users.insert([
          { openid: openid(2), nickname: 'B', language: 'en', tags: [], createdAt: NOW },
        ]);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect((await s.users.counts()).total).toBe(1);
  });

  it('issues tokens, replacing the latest of a kind only', async () => {
    const t = s.platform.tokens;
    await t.issue('a', 'token', NOW.getTime(), NOW.getTime() + 7200_000);
    await t.issue('b', 'stable', NOW.getTime(), NOW.getTime() + 7200_000);
    await t.issue('c', 'token', NOW.getTime() + 1, NOW.getTime() + 7200_000);
    expect(await t.find('a')).toMatchObject({ kind: 'token', replaced_at: NOW.getTime() + 1 });
    expect((await t.latest('token'))?.digest).toBe('c');
    expect((await t.latest('stable'))?.digest).toBe('b');
    expect(await t.count()).toBe(3);
  });

  it('counts quotas per API and day, and clears a day but the kept API', async () => {
    const q = s.platform.quota;
    for (let i = 0; i < 3; i++) await q.count('menu/get', '2026-11-23');
    await q.count('clear_quota', '2026-11-23');
    expect(await q.used('menu/get', '2026-11-23')).toBe(3);
    await q.clearDay('2026-11-23', 'clear_quota');
    expect(await q.usage('2026-11-23')).toEqual([{ api: 'clear_quota', calls: 1 }]);
  });

  it('keeps one menu, media and material', async () => {
    await s.platform.menu.put([{ type: 'click', name: 'a', key: 'A' }], NOW);
    await s.platform.menu.put([{ type: 'click', name: 'b', key: 'B' }], NOW);
    expect(await s.platform.menu.get()).toEqual({
      buttons: [{ type: 'click', name: 'b', key: 'B' }],
      publishedAt: NOW,
    });
    await s.platform.media.putMaterial('m1', 'thumb', NOW);
    await s.platform.media.put('n1', [{ thumb_media_id: 'm1', title: 't', content: 'c' }], NOW);
    expect(await s.platform.media.materialType('m1')).toBe('thumb');
    expect((await s.platform.media.get('n1'))?.[0]?.title).toBe('t');
    expect(await s.platform.media.count()).toBe(1);
  });

  it('numbers tags from 100, and pages their members in OpenID order', async () => {
    const tags = s.platform.tags;
    const press = await tags.create('press');
    expect(press).toBe(100);
    expect(await tags.create('vip')).toBe(101);
    await tags.tag(press, [openid(3), openid(1), openid(2), openid(1)]);
    expect(await tags.members(press, openid(1), 10)).toEqual([openid(2), openid(3)]);
    await tags.untag(press, [openid(2)]);
    expect(await tags.all()).toEqual([
      { id: 100, name: 'press', count: 2 },
      { id: 101, name: 'vip', count: 0 },
    ]);
    expect(await tags.tagsOf(openid(1))).toEqual([100]);
    await tags.remove(press);
    expect(await tags.byName('press')).toBeUndefined();
    expect(await tags.total()).toBe(1);
  });

  it('counts customer-service sends in a window and forgets the old ones', async () => {
    const c = s.platform.custom;
    await c.record(openid(1), NOW, new Date(0));
    await c.record(openid(1), new Date(NOW.getTime() + MINUTE), new Date(0));
    expect(await c.countSince(openid(1), NOW)).toBe(2);
    await c.record(openid(1), new Date(NOW.getTime() + 2 * MINUTE), new Date(NOW.getTime() + 1));
    expect(await c.countSince(openid(1), new Date(0))).toBe(2);
  });

  it('keeps mass jobs, their progress and receipts; msg_ids go on across a clear', async () => {
    const m = s.platform.mass;
    const first = await m.nextMsgId();
    expect(first).toBe(1_000_000_001);
    const job = {
      msgDataId: null,
      api: 'mass/sendall',
      target: { kind: 'all' as const },
      message: TEXT,
    };
    await m.insert({
      ...job,
      msgId: first,
      clientMsgId: 'c1',
      createdAt: NOW.getTime(),
      rate: 100,
    });
    await m.progress(first, { cursor: openid(5), done: 5, sent: 4, errors: 1, filteredOut: 0 });
    expect(await m.get(first)).toMatchObject({
      status: 'SENDING',
      cursor: openid(5),
      done: 5,
      sent: 4,
    });
    expect((await m.byClientMsgId('c1', 0))?.msgId).toBe(first);
    expect(await m.sending()).toEqual([first]);
    await m.setStatus(first, 'SEND_SUCCESS', NOW.getTime());
    expect(await m.sending()).toEqual([]);
    await m.receive(openid(1), '2026-11');
    await m.receive(openid(1), '2026-11');
    expect(await m.receivedThisMonth(openid(1), '2026-11')).toBe(2);
    await m.putSetting('mass_speed', 3);
    expect(await m.setting('mass_speed')).toBe(3);
    await m.clear();
    expect(await m.recent(5)).toEqual([]);
    expect(await m.setting('mass_speed')).toBeUndefined();
    expect(await m.nextMsgId()).toBe(first + 1);
  });

  it('logs calls newest first, clipped, and pages them', async () => {
    const log = s.platform.calls;
    const ids: number[] = [];
    for (const api of ['token', 'menu/get', 'menu/create'])
      ids.push(
        await log.record({
          at: AT,
          api,
          method: 'GET',
          errcode: api === 'menu/get' ? 46003 : 0,
          request: { big: 'x'.repeat(5000) },
        }),
      );
    const page = await log.page({ limit: 2 });
    expect(page.map((c) => c.api)).toEqual(['menu/create', 'menu/get']);
    expect(page[1]).toMatchObject({ verdict: 'refused', errcode: 46003 });
    expect(typeof page[0]!.request).toBe('string');
    expect(await log.page({ before: ids[1] })).toHaveLength(1);
  });
});

describe.skipIf(!DATABASES.includes('postgres'))("the simulator's state on PostgreSQL", () => {
  it('a statement the database refuses inside a savepoint costs only that savepoint', async () => {
    const s = await openTestSimStorage('postgres');
    const item = (id: string) => ({ openid: id, at: AT, source: 'mass' as const });
    try {
      await s.atomically(async () => {
        await s.timeline.append(item(openid(1)));
        // A NUL in text is refused: without the savepoint the whole transaction would abort.
        await expect(
          s.savepoint(() => s.timeline.appendMany([item(openid(2)), item('o\u0000')])),
        ).rejects.toThrow();
        await s.timeline.append(item(openid(3)));
      });
      expect(await s.timeline.page(openid(1), 10)).toHaveLength(1);
      expect(await s.timeline.page(openid(2), 10)).toEqual([]);
      expect(await s.timeline.page(openid(3), 10)).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('serves one simulator process at a time: a second one on the same schema is refused', async () => {
    const place = await testSimPlace('postgres');
    try {
      const first = await place.open();
      await expect(place.open()).rejects.toThrow(/another simulator process uses the state/);
      await first.close();
      const again = await place.open();
      await again.close();
    } finally {
      await place.dispose();
    }
  });
});
