import type Database from 'better-sqlite3';
import { asyncTransaction } from '../store/sqlite-transaction.ts';

/** When customer-service messages went to each user: what the per-window counts read. */
export function createCustomStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_custom_sends (
      openid TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS platform_custom_sends_user ON platform_custom_sends (openid, at);`);
  const since = db.prepare<[string, number], { n: number }>(
    'SELECT count(*) AS n FROM platform_custom_sends WHERE openid = ? AND at >= ?',
  );
  const insert = db.prepare<[string, number]>(
    'INSERT INTO platform_custom_sends (openid, at) VALUES (?, ?)',
  );
  const prune = db.prepare<[string, number]>(
    'DELETE FROM platform_custom_sends WHERE openid = ? AND at < ?',
  );
  return {
    countSince: async (openid: string, at: Date) => since.get(openid, at.getTime())?.n ?? 0,
    /** Records a send and forgets this user's sends older than `forgetBefore`. */
    record: asyncTransaction(db, (openid: string, at: Date, forgetBefore: Date) => {
      prune.run(openid, forgetBefore.getTime());
      insert.run(openid, at.getTime());
    }),
    clear: async () => void db.exec('DELETE FROM platform_custom_sends'),
  };
}

export type CustomStore = ReturnType<typeof createCustomStore>;
