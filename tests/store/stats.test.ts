import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUCKET_MS, createStatsStore } from '../../src/store/stats.ts';
import type { Storage } from '../../src/store/storage.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';
import { ensureBroadcastTables, execute } from '../helpers/storage-sql.ts';

const NOW = new Date('2026-03-10T04:00:00Z');
const HOUR = 3_600_000;

describe.each(DATABASES)('the stats store on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-stats-'));
    storage = await openTestStorage(kind, dir);
    await ensureBroadcastTables(storage);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const logLine = (at: number, direction: 'in' | 'out', kind = 'text') =>
    execute(
      storage,
      `INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, 'api', 'u', ?, ?)`,
      [at, direction, JSON.stringify({ kind })],
    );
  const delivery = (status: string, settledAt: number | null) =>
    execute(
      storage,
      `INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at, settled_at) VALUES (1, 'api', 'u', ?, 0, ?)`,
      [status, settledAt],
    );

  it('counts subscribers by channel and state', async () => {
    const subscribers = createSubscriberStore(storage);
    await subscribers.save('api', 'a', { state: 'active' }, NOW);
    await subscribers.save('api', 'b', { state: 'active' }, NOW);
    await subscribers.save('api', 'c', { state: 'unsubscribed' }, NOW);
    await subscribers.save('wechat', 'd', { state: 'blocked' }, NOW);
    expect(await createStatsStore(storage).subscribersByChannelState()).toEqual([
      { channel: 'api', state: 'active', count: 2 },
      { channel: 'api', state: 'unsubscribed', count: 1 },
      { channel: 'wechat', state: 'blocked', count: 1 },
    ]);
  });

  it("counts users' messages per quarter hour since a time, not the account's replies nor events", async () => {
    const start = NOW.getTime() - (NOW.getTime() % BUCKET_MS);
    await logLine(start + 1000, 'in');
    await logLine(start + 2000, 'in');
    await logLine(start + 3000, 'out');
    await logLine(start + 4000, 'in', 'event');
    await logLine(start + BUCKET_MS, 'in');
    await logLine(start - 48 * HOUR, 'in');
    expect(await createStatsStore(storage).messagesIn(new Date(start - HOUR))).toEqual([
      { start, count: 2 },
      { start: start + BUCKET_MS, count: 1 },
    ]);
  });

  it('counts deliveries that were sent or failed, by status, leaving the rest out', async () => {
    const start = NOW.getTime() - (NOW.getTime() % BUCKET_MS);
    await delivery('sent', start);
    await delivery('sent', start + 5);
    await delivery('failed', start + 10);
    await delivery('skipped', start);
    await delivery('pending', null);
    await delivery('sent', start - 2 * HOUR);
    expect(await createStatsStore(storage).deliveriesSettled(new Date(start - HOUR))).toEqual([
      { start, status: 'failed', count: 1 },
      { start, status: 'sent', count: 2 },
    ]);
  });
});
