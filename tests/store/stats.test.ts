import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { BUCKET_MS, createStatsStore } from '../../src/store/stats.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';

const NOW = new Date('2026-03-10T04:00:00Z');
const HOUR = 3_600_000;

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oasim-stats-'));
  db = openDatabase(join(dir, 'oasim.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const logLine = (at: number, direction: 'in' | 'out', kind = 'text') =>
  db
    .prepare(
      `INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, 'api', 'u', ?, ?)`,
    )
    .run(at, direction, JSON.stringify({ kind }));
const delivery = (status: string, settledAt: number | null) =>
  db
    .prepare(
      `INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at, settled_at) VALUES (1, 'api', 'u', ?, 0, ?)`,
    )
    .run(status, settledAt);

describe('the stats store', () => {
  it('counts subscribers by channel and state', () => {
    const subscribers = createSubscriberStore(db);
    subscribers.save('api', 'a', { state: 'active' }, NOW);
    subscribers.save('api', 'b', { state: 'active' }, NOW);
    subscribers.save('api', 'c', { state: 'unsubscribed' }, NOW);
    subscribers.save('wechat', 'd', { state: 'blocked' }, NOW);
    expect(createStatsStore(db).subscribersByChannelState()).toEqual([
      { channel: 'api', state: 'active', count: 2 },
      { channel: 'api', state: 'unsubscribed', count: 1 },
      { channel: 'wechat', state: 'blocked', count: 1 },
    ]);
  });

  it("counts users' messages per quarter hour since a time, not the account's replies nor events", () => {
    const start = NOW.getTime() - (NOW.getTime() % BUCKET_MS);
    logLine(start + 1000, 'in');
    logLine(start + 2000, 'in');
    logLine(start + 3000, 'out');
    logLine(start + 4000, 'in', 'event');
    logLine(start + BUCKET_MS, 'in');
    logLine(start - 48 * HOUR, 'in');
    expect(createStatsStore(db).messagesIn(new Date(start - HOUR))).toEqual([
      { start, count: 2 },
      { start: start + BUCKET_MS, count: 1 },
    ]);
  });

  it('counts deliveries that were sent or failed, by status, leaving the rest out', () => {
    const start = NOW.getTime() - (NOW.getTime() % BUCKET_MS);
    delivery('sent', start);
    delivery('sent', start + 5);
    delivery('failed', start + 10);
    delivery('skipped', start);
    delivery('pending', null);
    expect(createStatsStore(db).deliveriesSettled(new Date(start - HOUR))).toEqual([
      { start, status: 'failed', count: 1 },
      { start, status: 'sent', count: 2 },
    ]);
  });
});

describe('listing subscribers', () => {
  it('filters by channel, state and a topic the subscriber named, and pages on', () => {
    const subscribers = createSubscriberStore(db);
    subscribers.save('api', 'a', { state: 'active', topics: ['events'] }, NOW);
    subscribers.save('api', 'b', { state: 'active', topics: [] }, NOW);
    subscribers.save('api', 'c', { state: 'unsubscribed', topics: ['events'] }, NOW);
    subscribers.save('wechat', 'd', { state: 'active', topics: ['events', 'guides'] }, NOW);
    const ids = (options: Parameters<typeof subscribers.list>[0]) =>
      subscribers.list(options).map((s) => `${s.channel}:${s.userId}`);
    expect(ids({ channel: 'api' })).toEqual(['api:a', 'api:b', 'api:c']);
    expect(ids({ topic: 'events', state: 'active' })).toEqual(['api:a', 'wechat:d']);
    expect(ids({ topic: 'guides' })).toEqual(['wechat:d']);
    expect(ids({ channel: 'api', limit: 1, after: { channel: 'api', userId: 'a' } })).toEqual([
      'api:b',
    ]);
  });
});
