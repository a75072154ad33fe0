import type Database from 'better-sqlite3';
import { asyncTransaction } from '../store/sqlite-transaction.ts';

/** Tokens of `token` and of `stable_token` are apart: getting one never replaces the other. */
export type TokenKind = 'token' | 'stable';

export interface TokenRow {
  /** SHA-256 of the token: the database never holds a token that works. */
  digest: string;
  kind: TokenKind;
  issued_at: number;
  expires_at: number;
  /** When a newer token replaced it; null while it is the latest. */
  replaced_at: number | null;
}

/** The access tokens the platform handed out, by digest (times in ms since the epoch). */
export function createTokenStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_access_tokens (
      digest TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      replaced_at INTEGER
    )`);
  const find = db.prepare<[string], TokenRow>(
    'SELECT * FROM platform_access_tokens WHERE digest = ?',
  );
  const latest = db.prepare<[TokenKind], TokenRow>(
    `SELECT * FROM platform_access_tokens WHERE kind = ? AND replaced_at IS NULL
     ORDER BY issued_at DESC LIMIT 1`,
  );
  const replace = db.prepare<[number, TokenKind]>(
    'UPDATE platform_access_tokens SET replaced_at = ? WHERE kind = ? AND replaced_at IS NULL',
  );
  const insert = db.prepare<[string, TokenKind, number, number]>(
    'INSERT INTO platform_access_tokens (digest, kind, issued_at, expires_at) VALUES (?, ?, ?, ?)',
  );
  // A replaced token is worthless after its grace period; keep a day for 40001 vs 42001.
  const prune = db.prepare<[number]>('DELETE FROM platform_access_tokens WHERE expires_at < ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM platform_access_tokens');

  return {
    find: async (digest: string) => find.get(digest),
    latest: async (kind: TokenKind) => latest.get(kind),
    /** Stores a new latest token, marking the others of its kind as replaced now. */
    issue: asyncTransaction(
      db,
      (digest: string, kind: TokenKind, now: number, expiresAt: number) => {
        prune.run(now - 24 * 3600_000);
        replace.run(now, kind);
        insert.run(digest, kind, now, expiresAt);
      },
    ),
    count: async () => count.get()?.n ?? 0,
    clear: async () => void db.exec('DELETE FROM platform_access_tokens'),
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
