import type { Entry } from '../content/entry.ts';
import { postgresLedger } from '../postgres/ledger-store.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import type { Storage } from '../store/storage.ts';

/** Which entries were ever broadcast: by id, and by content hash so a copy under a new name counts too. */
export interface BroadcastLedger {
  wasBroadcast(entry: Entry): Promise<boolean>;
  /** Records entries as broadcast; part of the outbox transaction. */
  record(entries: Entry[], broadcastId: number, now: Date): Promise<void>;
  /** Forgets the entries of a broadcast that was cancelled before anything was sent. */
  release(broadcastId: number): Promise<void>;
  /** Ids of entries broadcast after `since`, newest broadcast first. */
  since(since: Date): Promise<string[]>;
  /** The broadcast that sent an entry (by id), and when: the console's ledger column. */
  broadcastOf(entryId: string): Promise<{ broadcastId: number; at: Date } | undefined>;
}

export function createLedger(storage: Storage): BroadcastLedger {
  return storage.kind === 'sqlite' ? sqliteLedger(storage.gate) : postgresLedger(storage.pg);
}

function sqliteLedger(gate: SqliteGate): BroadcastLedger {
  const { db } = gate;
  const find = db.prepare<[string, string], { found: number }>(
    'SELECT 1 AS found FROM broadcast_entries WHERE entry_id = ? OR hash = ? LIMIT 1',
  );
  const insert = db.prepare(
    'INSERT OR IGNORE INTO broadcast_entries (entry_id, hash, broadcast_id, at) VALUES (?, ?, ?, ?)',
  );
  const release = db.prepare('DELETE FROM broadcast_entries WHERE broadcast_id = ?');
  const since = db.prepare<[number], { entry_id: string }>(
    'SELECT entry_id FROM broadcast_entries WHERE at > ? ORDER BY at DESC, entry_id',
  );
  const byId = db.prepare<[string], { broadcast_id: number; at: number }>(
    'SELECT broadcast_id, at FROM broadcast_entries WHERE entry_id = ?',
  );
  return {
    broadcastOf: (entryId) =>
      gate.run(() => {
        const row = byId.get(entryId);
        return row && { broadcastId: row.broadcast_id, at: new Date(row.at) };
      }),
    wasBroadcast: (entry) => gate.run(() => find.get(entry.id, entry.hash) !== undefined),
    record: (entries, broadcastId, now) =>
      gate.run(() => {
        for (const entry of entries) insert.run(entry.id, entry.hash, broadcastId, now.getTime());
      }),
    release: (broadcastId) => gate.run(() => void release.run(broadcastId)),
    since: (date) => gate.run(() => since.all(date.getTime()).map((row) => row.entry_id)),
  };
}
