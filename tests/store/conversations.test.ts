import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inbound } from '../../src/engine/types.ts';
import {
  createConversationStore,
  HOUR_MS,
  type ConversationStore,
} from '../../src/store/conversations.ts';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';

const NOW = new Date('2026-03-10T04:10:00Z');
const HOUR_START = new Date(Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS);

const text = (user: string, body: string, time = NOW): Inbound => ({
  channel: 'api',
  user,
  time,
  kind: 'text',
  text: body,
});

/** The log as rows, oldest first: who, which way, and what. */
async function logRows(storage: Storage) {
  const sql = 'SELECT user_id, direction, body FROM conversation_log ORDER BY id';
  const rows =
    storage.kind === 'sqlite'
      ? storage.gate.db.prepare<[], { user_id: string; direction: string; body: string }>(sql).all()
      : await storage.pg.query<{ user_id: string; direction: string; body: unknown }>(sql);
  return rows.map((row) => ({
    user: row.user_id,
    direction: row.direction,
    body: typeof row.body === 'string' ? (JSON.parse(row.body) as unknown) : row.body,
  }));
}

describe.each(DATABASES)('the conversation log on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  let conversations: ConversationStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-conversations-'));
    storage = await openTestStorage(kind, dir);
    conversations = createConversationStore(storage);
  });
  afterEach(async () => {
    await conversations.flush();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs each turn in order: the message, then each reply', async () => {
    await conversations.record(
      text('ann', 'hello'),
      [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ],
      true,
    );
    await conversations.record(
      { channel: 'api', user: 'bob', time: NOW, kind: 'event', event: 'follow' },
      [],
      true,
    );
    await conversations.flush();
    expect(await logRows(storage)).toEqual([
      { user: 'ann', direction: 'in', body: { kind: 'text', text: 'hello' } },
      { user: 'ann', direction: 'out', body: { type: 'text', text: 'one' } },
      { user: 'ann', direction: 'out', body: { type: 'text', text: 'two' } },
      { user: 'bob', direction: 'in', body: { kind: 'event', event: 'follow' } },
    ]);
  });

  it('counts unanswered queries, normalized, most asked first, and forgets one', async () => {
    const later = new Date(NOW.getTime() + 60_000);
    await conversations.record(text('ann', 'Quantum  Foam'), [], false);
    await conversations.record(text('bob', 'quantum foam'), [], false, undefined);
    await conversations.record(text('cy', 'string theory', later), [], false);
    await conversations.record(text('cy', 'answered one'), [], true);
    expect(await conversations.unanswered()).toEqual([
      { query: 'quantum foam', count: 2, lastAt: NOW },
      { query: 'string theory', count: 1, lastAt: later },
    ]);
    expect(await conversations.unanswered(1)).toHaveLength(1);
    expect(await conversations.forgetUnanswered('quantum foam')).toBe(true);
    expect(await conversations.forgetUnanswered('quantum foam')).toBe(false);
    expect((await conversations.unanswered()).map((row) => row.query)).toEqual(['string theory']);
  });

  it('counts every miss and hit when many turns arrive at once', async () => {
    const TURNS = 20;
    await Promise.all(
      Array.from({ length: TURNS }, (_, i) =>
        conversations.record(text(`u${i}`, 'same question'), [], false, 'catch-all'),
      ),
    );
    expect(await conversations.unanswered()).toEqual([
      { query: 'same question', count: TURNS, lastAt: NOW },
    ]);
    expect(await conversations.ruleHits()).toEqual([{ rule: 'catch-all', hits: TURNS }]);
  });

  it('counts keyword rule hits by the hour, most hit first', async () => {
    const nextHour = new Date(NOW.getTime() + HOUR_MS);
    await conversations.record(text('ann', 'about'), [], true, 'about');
    await conversations.record(text('bob', 'about'), [], true, 'about');
    await conversations.record(text('bob', 'hours'), [], true, 'hours');
    await conversations.record(text('cy', 'hours', nextHour), [], true, 'hours');
    await conversations.record(text('cy', 'zoo', nextHour), [], true, 'zoo');
    expect(await conversations.ruleHits()).toEqual([
      { rule: 'about', hits: 2 },
      { rule: 'hours', hits: 2 },
      { rule: 'zoo', hits: 1 },
    ]);
    expect(await conversations.ruleHits(nextHour)).toEqual([
      { rule: 'hours', hits: 1 },
      { rule: 'zoo', hits: 1 },
    ]);
    const nextStart = new Date(HOUR_START.getTime() + HOUR_MS);
    expect(await conversations.ruleHitsByHour(NOW)).toEqual([
      { rule: 'about', hour: HOUR_START, hits: 2 },
      { rule: 'hours', hour: HOUR_START, hits: 1 },
      { rule: 'hours', hour: nextStart, hits: 1 },
      { rule: 'zoo', hour: nextStart, hits: 1 },
    ]);
  });
});
