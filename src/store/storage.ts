import { join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { describe, openPostgres, type Pg } from '../postgres/database.ts';
import { openDatabase } from './database.ts';
import { createSqliteGate, type SqliteGate } from './sqlite-gate.ts';

/**
 * Where the account keeps its state: the embedded SQLite file (the default), or PostgreSQL
 * (DATABASE_URL) so that several instances share one account. Each part builds its stores
 * from this (`createXStore(storage)`), one implementation per kind behind one interface.
 */
export type Storage =
  | { kind: 'sqlite'; gate: SqliteGate; file: string; close(): Promise<void> }
  | {
      kind: 'postgres';
      pg: Pg;
      close(): Promise<void>;
      /** Fan-outs the subscribers table may hold this many of get a partition of their own. */
      partitionFrom?: number;
    };

export async function openStorage(
  config: { DATA_DIR: string; DATABASE_URL?: string; DATABASE_POOL_SIZE?: number },
  log?: Logger,
): Promise<Storage> {
  if (config.DATABASE_URL) {
    const pg = await openPostgres({
      url: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      log,
    });
    log?.info({ database: whereIs(config.DATABASE_URL) }, 'state kept in PostgreSQL');
    return { kind: 'postgres', pg, close: () => pg.close() };
  }
  const file = join(config.DATA_DIR, 'oasim.db');
  log?.info({ database: file }, 'state kept in the SQLite file');
  return sqliteStorage(file);
}

/** Host, port and database of a connection string: what a log may say of it (no user, no password). */
function whereIs(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(a connection string that is not a URL)';
  }
}

/** SQLite storage over `file` (created and migrated when needed). */
export function sqliteStorage(file: string): Storage & { kind: 'sqlite' } {
  const db = openDatabase(file);
  return {
    kind: 'sqlite',
    gate: createSqliteGate(db),
    file,
    async close() {
      db.close();
    },
  };
}

/** PostgreSQL storage over an open pool (tests, and a second front end on the same pool). */
export function postgresStorage(
  pg: Pg,
  options: { partitionFrom?: number } = {},
): Storage & { kind: 'postgres' } {
  return { kind: 'postgres', pg, close: () => pg.close(), ...options };
}

/** What `/healthz` says of the database. */
export interface StorageHealth {
  kind: Storage['kind'];
  ok: boolean;
  /** How long a trivial query took. */
  ms?: number;
  /** The database's error, by code and message (never the connection string). */
  error?: string;
}

/** A trivial query, bounded in time: a lost database is reported, not waited on. */
export async function checkStorage(storage: Storage, timeoutMs = 2_000): Promise<StorageHealth> {
  const started = performance.now();
  const query =
    storage.kind === 'sqlite'
      ? storage.gate.run(() => storage.gate.db.prepare('SELECT 1').get())
      : storage.pg.query('SELECT 1');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([query, timeout]);
    return {
      kind: storage.kind,
      ok: true,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
  } catch (err) {
    const { code, message } = describe(err);
    return { kind: storage.kind, ok: false, error: code ? `${message} (${code})` : message };
  } finally {
    clearTimeout(timer);
    query.catch(() => undefined);
  }
}
