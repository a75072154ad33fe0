import type { Reply } from '../engine/types.ts';
import { postgresInboxStore } from '../postgres/inbox-store.ts';
import type { SqliteGate } from './sqlite-gate.ts';
import type { Storage } from './storage.ts';

export interface InboxItem {
  id: number;
  at: Date;
  /** What put it there: `broadcast:<id>`, `follow-up`, ... */
  source: string;
  reply: Reply;
}

/** What the account sent a user outside a direct reply. */
export interface InboxStore {
  deliver(
    channel: string,
    userId: string,
    reply: Reply,
    source: string,
    now: Date,
  ): Promise<number>;
  /** Newest first; `before` is the id of the last item of the previous page. */
  list(
    channel: string,
    userId: string,
    options: { limit: number; before?: number },
  ): Promise<InboxItem[]>;
}

/** The inbox of the account's database, whichever kind it is. */
export function createInboxStore(storage: Storage): InboxStore {
  return storage.kind === 'sqlite'
    ? sqliteInboxStore(storage.gate)
    : postgresInboxStore(storage.pg);
}

/** An inbox row as both databases return it: `reply` is JSON text. */
export type InboxRow = {
  id: number;
  at: number;
  source: string;
  reply: string;
};

export const toInboxItem = (row: InboxRow): InboxItem => ({
  id: row.id,
  at: new Date(row.at),
  source: row.source,
  reply: JSON.parse(row.reply) as Reply,
});

export function sqliteInboxStore({ db, run }: SqliteGate): InboxStore {
  const insert = db.prepare(
    'INSERT INTO inbox (channel, user_id, at, source, reply) VALUES (?, ?, ?, ?, ?)',
  );
  // A broadcast's items point to its reply, stored once on the broadcast (issue 4).
  const page = db.prepare<[string, string, number, number], InboxRow>(
    `SELECT i.id, i.at, i.source, CASE WHEN i.broadcast_id IS NULL THEN i.reply ELSE b.reply END AS reply
     FROM inbox i LEFT JOIN broadcasts b ON b.id = i.broadcast_id
     WHERE i.channel = ? AND i.user_id = ? AND i.id < ? ORDER BY i.id DESC LIMIT ?`,
  );
  return {
    deliver: (channel, userId, reply, source, now) =>
      run(() =>
        Number(
          insert.run(channel, userId, now.getTime(), source, JSON.stringify(reply)).lastInsertRowid,
        ),
      ),
    list: (channel, userId, { limit, before = Number.MAX_SAFE_INTEGER }) =>
      run(() => page.all(channel, userId, before, limit).map(toInboxItem)),
  };
}
