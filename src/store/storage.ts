import { join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { openPostgres, type Pg } from '../postgres/database.ts';
import { openDatabase } from './database.ts';
import { createSqliteGate, type SqliteGate } from './sqlite-gate.ts';

/**
 * Where the account keeps its state: the embedded SQLite file (the default), or PostgreSQL
 * (DATABASE_URL) so that several instances share one account. Each part builds its stores
 * from this (`createXStore(storage)`), one implementation per kind behind one interface.
 */
export type Storage =
  | { kind: 'sqlite'; gate: SqliteGate; file: string; close(): Promise<void> }
  | { kind: 'postgres'; pg: Pg; close(): Promise<void> };

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
    return { kind: 'postgres', pg, close: () => pg.close() };
  }
  const file = join(config.DATA_DIR, 'oasim.db');
  return sqliteStorage(file);
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
export function postgresStorage(pg: Pg): Storage & { kind: 'postgres' } {
  return { kind: 'postgres', pg, close: () => pg.close() };
}
