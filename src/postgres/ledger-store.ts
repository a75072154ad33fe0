import type { BroadcastLedger } from '../broadcast/ledger-store.ts';
import type { Pg } from './database.ts';

/** The broadcast ledger on PostgreSQL. */
export function postgresLedger(pg: Pg): BroadcastLedger {
  return {
    async broadcastOf(entryId) {
      const [row] = await pg.query<{ broadcast_id: number; at: number }>(
        'SELECT broadcast_id, at FROM broadcast_entries WHERE entry_id = $1',
        [entryId],
      );
      return row && { broadcastId: row.broadcast_id, at: new Date(row.at) };
    },
    async wasBroadcast(entry) {
      const rows = await pg.query(
        'SELECT 1 FROM broadcast_entries WHERE entry_id = $1 OR hash = $2 LIMIT 1',
        [entry.id, entry.hash],
      );
      return rows.length > 0;
    },
    async record(entries, broadcastId, now) {
      await pg.query(
        `INSERT INTO broadcast_entries (entry_id, hash, broadcast_id, at)
         SELECT e.id, e.hash, $3, $4 FROM unnest($1::text[], $2::text[]) AS e (id, hash)
         ON CONFLICT DO NOTHING`,
        [entries.map((e) => e.id), entries.map((e) => e.hash), broadcastId, now.getTime()],
      );
    },
    async release(broadcastId) {
      await pg.query('DELETE FROM broadcast_entries WHERE broadcast_id = $1', [broadcastId]);
    },
    async since(date) {
      const rows = await pg.query<{ entry_id: string }>(
        'SELECT entry_id FROM broadcast_entries WHERE at > $1 ORDER BY at DESC, entry_id',
        [date.getTime()],
      );
      return rows.map((row) => row.entry_id);
    },
  };
}
