import type Database from 'better-sqlite3';

/** Tokens of `token` and of `stable_token` are apart: getting one never replaces the other. */
export type TokenKind = 'token' | 'stable';

export interface TokenRow {
  token: string;
  kind: TokenKind;
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
      kind TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      replaced_at INTEGER
    )`);
  const find = db.prepare<[string], TokenRow>('SELECT * FROM platform_tokens WHERE token = ?');
  const latest = db.prepare<[TokenKind], TokenRow>(
    `SELECT * FROM platform_tokens WHERE kind = ? AND replaced_at IS NULL
     ORDER BY issued_at DESC LIMIT 1`,
  );
  const replace = db.prepare<[number, TokenKind]>(
    'UPDATE platform_tokens SET replaced_at = ? WHERE kind = ? AND replaced_at IS NULL',
  );
  const insert = db.prepare<[string, TokenKind, number, number]>(
    'INSERT INTO platform_tokens (token, kind, issued_at, expires_at) VALUES (?, ?, ?, ?)',
  );
  // A replaced token is worthless after its grace period; keep a day for 40001 vs 42001.
  const prune = db.prepare<[number]>('DELETE FROM platform_tokens WHERE expires_at < ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM platform_tokens');

  return {
    find: (token: string) => find.get(token),
    latest: (kind: TokenKind) => latest.get(kind),
    /** Stores a new latest token, marking the others of its kind as replaced now. */
    issue: db.transaction((token: string, kind: TokenKind, now: number, expiresAt: number) => {
      prune.run(now - 24 * 3600_000);
      replace.run(now, kind);
      insert.run(token, kind, now, expiresAt);
    }),
    count: () => count.get()?.n ?? 0,
    clear: () => db.exec('DELETE FROM platform_tokens'),
  };
}
