import type { TokenKind, TokenRow, TokenStore } from '../../platform/token-store.ts';
import type { SimPg } from './sim-pg.ts';

/** The access tokens the platform handed out, on PostgreSQL. */
export function pgTokenStore(db: SimPg): TokenStore {
  type Row = TokenRow & Record<string, unknown>;
  return {
    async find(digest: string) {
      const [row] = await db.query<Row>('SELECT * FROM platform_access_tokens WHERE digest = $1', [
        digest,
      ]);
      return row;
    },
    async latest(kind: TokenKind) {
      const [row] = await db.query<Row>(
        `SELECT * FROM platform_access_tokens WHERE kind = $1 AND replaced_at IS NULL
         ORDER BY issued_at DESC LIMIT 1`,
        [kind],
      );
      return row;
    },
    issue: (digest: string, kind: TokenKind, now: number, expiresAt: number) =>
      db.atomically(async () => {
        await db.query('DELETE FROM platform_access_tokens WHERE expires_at < $1', [
          now - 24 * 3600_000,
        ]);
        await db.query(
          'UPDATE platform_access_tokens SET replaced_at = $1 WHERE kind = $2 AND replaced_at IS NULL',
          [now, kind],
        );
        await db.query(
          `INSERT INTO platform_access_tokens (digest, kind, issued_at, expires_at)
           VALUES ($1, $2, $3, $4)`,
          [digest, kind, now, expiresAt],
        );
      }),
    async count() {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM platform_access_tokens',
      );
      return row?.n ?? 0;
    },
    clear: async () => void (await db.query('DELETE FROM platform_access_tokens')),
  };
}
