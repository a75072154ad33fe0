import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { Logger } from '../../../log/logger.ts';
import { SIM_PG_MIGRATIONS } from './sim-pg-migrations.ts';
import { createNamedSchema, quoteIdent } from '../../../pg/named-schema.ts';

export { quoteIdent };

export type Row = Record<string, unknown>;

/**
 * The simulator's own PostgreSQL pool (never the account's). `query` runs on the pool, or on
 * the open transaction's connection inside `atomically` (same async context), so the stores
 * need not pass a client around.
 */
export interface SimPg {
  query<R extends Row = Row>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs `work` in one transaction; a nested call joins the open one. */
  atomically<R>(work: () => Promise<R>): Promise<R>;
  /**
   * Inside `atomically`: if `work` throws, its writes are undone and the transaction goes on
   * (a failed statement otherwise aborts all of it). Outside: a transaction of its own.
   */
  savepoint<R>(work: () => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export interface SimPgOptions {
  url: string;
  max?: number;
  /** A schema of its own (tests): every connection's search_path. Else the URL's. */
  schema?: string;
  log?: Pick<Logger, 'warn'>;
}

// BIGINT (times in ms, ids) comes back as a string by default; ours fit in a double. Per
// pool, so that nothing else in the process changes.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Opens the pool and brings the simulator's tables up to date (one instance at a time). */
export async function openSimPg(options: SimPgOptions): Promise<SimPg> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  });
  // A dropped connection must not end the process: the query that used it fails instead.
  const lost = (err: Error) =>
    options.log?.warn({ err: { message: err.message } }, "simulator's database connection lost");
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const clients = new AsyncLocalStorage<pg.PoolClient>();
  const db: SimPg = {
    async query<R extends Row>(text: string, params: unknown[] = []) {
      const runner = clients.getStore() ?? pool;
      return (await runner.query<R>(text, params)).rows;
    },
    async atomically(work) {
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
    async savepoint(work) {
      const client = clients.getStore();
      if (!client) return db.atomically(work);
      await client.query('SAVEPOINT sim_part');
      try {
        const result = await work();
        await client.query('RELEASE SAVEPOINT sim_part');
        return result;
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT sim_part; RELEASE SAVEPOINT sim_part');
        throw err;
      }
    },
    close: () => pool.end(),
  };
  let holder: pg.PoolClient | undefined;
  try {
    await migrate(pool);
    holder = await holdState(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    ...db,
    async close() {
      holder.release(true);
      await pool.end();
    },
  };
}

/**
 * One simulator process per state: its clock and its mass-send timers live in the process,
 * so a second one on the same schema would deliver half-sent jobs again. A session lock,
 * per schema, held on a connection of its own while the simulator runs.
 */
async function holdState(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const { rows } = await client.query<{ held: boolean; schema: string }>(
    `SELECT pg_try_advisory_lock(hashtext('oasim-simulator:' || current_schema())) AS held,
       current_schema() AS schema`,
  );
  if (rows[0]?.held) return client;
  client.release();
  throw new Error(
    `another simulator process uses the state in schema ${rows[0]?.schema ?? '?'}: one simulator serves a state`,
  );
}

/** The simulator's own lock id (not the account's): instances starting together take turns. */
const MIGRATION_LOCK = 0x73696d7067; // "simpg"

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await createNamedSchema(client);
      await client.query(
        'CREATE TABLE IF NOT EXISTS sim_schema_version (version INTEGER NOT NULL)',
      );
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM sim_schema_version',
      );
      const done = rows[0]?.version ?? 0;
      if (done > SIM_PG_MIGRATIONS.length)
        throw new Error(
          `the simulator's schema version ${done} is newer than this program knows (${SIM_PG_MIGRATIONS.length})`,
        );
      for (let i = done; i < SIM_PG_MIGRATIONS.length; i++) {
        await client.query('BEGIN');
        try {
          await client.query(SIM_PG_MIGRATIONS[i]!);
          await client.query('INSERT INTO sim_schema_version (version) VALUES ($1)', [i + 1]);
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
