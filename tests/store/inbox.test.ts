import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/engine/types.ts';
import { createInboxStore, type InboxStore } from '../../src/store/inbox.ts';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';
import { ensureBroadcastTables, execute } from '../helpers/storage-sql.ts';

const NOW = new Date('2026-03-10T04:00:00Z');
const note = (text: string): Reply => ({ type: 'text', text });

describe.each(DATABASES)('inboxes on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  let inbox: InboxStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-inbox-'));
    storage = await openTestStorage(kind, dir);
    await ensureBroadcastTables(storage);
    inbox = createInboxStore(storage);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("pages a user's items newest first, and no one else's", async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++)
      ids.push(
        await inbox.deliver('api', 'erin', note(`note ${i}`), 'test', new Date(NOW.getTime() + i)),
      );
    await inbox.deliver('api', 'frank', note('not for erin'), 'test', NOW);
    expect(new Set(ids).size).toBe(5);

    const first = await inbox.list('api', 'erin', { limit: 2 });
    expect(first.map((item) => item.reply)).toEqual([note('note 5'), note('note 4')]);
    expect(first[0]).toMatchObject({ id: ids[4], source: 'test', at: new Date(NOW.getTime() + 5) });
    const rest = await inbox.list('api', 'erin', { limit: 10, before: first.at(-1)!.id });
    expect(rest.map((item) => item.reply)).toEqual([
      note('note 3'),
      note('note 2'),
      note('note 1'),
    ]);
    expect(await inbox.list('wechat', 'erin', { limit: 10 })).toEqual([]);
  });

  it("reads a broadcast's item from the reply stored once on the broadcast", async () => {
    const reply = note('the broadcast');
    await execute(
      storage,
      "INSERT INTO broadcasts (id, kind, created_at, status, reply) VALUES (7, 'manual', 0, 'done', ?)",
      [JSON.stringify(reply)],
    );
    await execute(
      storage,
      "INSERT INTO inbox (channel, user_id, at, source, reply, delivery_id, broadcast_id) VALUES ('api', 'erin', ?, 'broadcast:7', '', 1, 7)",
      [NOW.getTime()],
    );
    const [item] = await inbox.list('api', 'erin', { limit: 1 });
    expect(item).toMatchObject({ source: 'broadcast:7', reply });
  });
});
