import type Database from 'better-sqlite3';

export interface TokenRow {
  token: string;
  issued_at: number;
  expires_at: number;
  /** When a newer token replaced it; null while it is the latest. */
  replaced_at: number | null;
}

/** The access tokens the platform handed out (times in ms since the epoch). */
export function createTokenStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_tokens (
      token TEXT PRIMARY KEY,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      replaced_at INTEGER
    )`);
  const find = db.prepare<[string], TokenRow>('SELECT * FROM platform_tokens WHERE token = ?');
  const latest = db.prepare<[], TokenRow>(
    'SELECT * FROM platform_tokens WHERE replaced_at IS NULL ORDER BY issued_at DESC LIMIT 1',
  );
  const replace = db.prepare<[number]>(
    'UPDATE platform_tokens SET replaced_at = ? WHERE replaced_at IS NULL',
  );
  const insert = db.prepare<[string, number, number]>(
    'INSERT INTO platform_tokens (token, issued_at, expires_at) VALUES (?, ?, ?)',
  );
  // A replaced token is worthless after its grace period; keep a day for 40001 vs 42001.
  const prune = db.prepare<[number]>('DELETE FROM platform_tokens WHERE expires_at < ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM platform_tokens');

  return {
    find: (token: string) => find.get(token),
    latest: () => latest.get(),
    /** Stores a new latest token, marking every other as replaced now. */
    issue: db.transaction((token: string, now: number, expiresAt: number) => {
      prune.run(now - 24 * 3600_000);
      replace.run(now);
      insert.run(token, now, expiresAt);
    }),
    count: () => count.get()?.n ?? 0,
    clear: () => db.exec('DELETE FROM platform_tokens'),
  };
}
