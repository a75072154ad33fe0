import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { createNamedSchema, quoteIdent } from '../pg/named-schema.ts';

export { quoteIdent };

export type Row = Record<string, unknown>;

/**
 * A PostgreSQL pool the stores share. `query` runs on the pool, or on the transaction's own
 * connection when called inside `transaction` (the same async context): the stores need not
 * pass a client around, and policy code groups store calls exactly as on SQLite.
 */
export interface Pg {
  pool: pg.Pool;
  query<R extends Row = Row>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `work` in one transaction (READ COMMITTED); a nested call joins the open one. */
  transaction<R>(work: () => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export interface PgOptions {
  url: string;
  /** Connections this process may hold (several instances share the server's max_connections). */
  max?: number;
  /** A schema of its own (tests): every connection's search_path. */
  schema?: string;
  log?: Logger;
  /** Brings the schema up to date first (under an advisory lock: one instance at a time). */
  migrate?: boolean;
}

// BIGINT (int8) and NUMERIC come back as strings by default; ours fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export async function openPostgres(options: PgOptions): Promise<Pg> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  });
  // A connection the server dropped (a restart) must not crash the process. Idle, the pool
  // hears it ('error'), discards it, and the next query opens a new one. Checked out (a
  // transaction, graphile-worker's LISTEN), pg emits 'error' on the client itself, and the
  // pool listens no more: unheard, that ends the process. So every client hears its own from
  // birth; the query or transaction that used it fails and says so.
  const lost = (err: unknown) =>
    options.log?.warn({ err: describe(err) }, 'database connection lost');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const clients = new AsyncLocalStorage<pg.PoolClient>();
  const db: Pg = {
    pool,
    async query<R extends Row>(text: string, params: unknown[] = []) {
      const runner = clients.getStore() ?? pool;
      const result = await runner.query<R>(text, params);
      return result.rows;
    },
    async transaction(work) {
      if (clients.getStore()) return work();
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await clients.run(client, work);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
  if (options.migrate ?? true) await migratePostgres(db);
  return db;
}

/** Any lock id of our own: the migrations of every instance queue on it. */
const MIGRATION_LOCK = 0x6f6173696d; // "oasim"

/**
 * Applies the migrations this database lacks, holding an advisory lock so that instances
 * starting together take turns; the version is one row in `schema_version`.
 */
export async function migratePostgres(db: Pg): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await createNamedSchema(client);
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_version',
      );
      const version = rows[0]?.version ?? 0;
      if (version > POSTGRES_MIGRATIONS.length) {
        throw new Error(
          `database schema version ${version} is newer than this program knows (${POSTGRES_MIGRATIONS.length})`,
        );
      }
      for (let i = version; i < POSTGRES_MIGRATIONS.length; i++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[i]!);
          await client.query('DELETE FROM schema_version');
          await client.query('INSERT INTO schema_version (version) VALUES ($1)', [i + 1]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * The schema the account lives in (`public` unless DATABASE_URL sets a search_path): what
 * is per database rather than per schema (NOTIFY channels, graphile-worker's own schema) is
 * named after it, so that two accounts (or tests) on one database never cross.
 */
export async function currentSchema(pg: Pg): Promise<string> {
  const [row] = await pg.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  return row?.schema ?? 'public';
}

/** What a log may say of a database error: its code and message, never the connection string. */
export function describe(err: unknown): { code?: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
