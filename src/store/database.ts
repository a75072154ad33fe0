import type BetterSqlite3 from 'better-sqlite3';
import { Database } from '../sqlite/driver.ts';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type Db = BetterSqlite3.Database;

/**
 * Opens (or creates) the database file in WAL mode and brings its schema up to date
 * (a second connection of a process that did so already may skip that).
 * `busy_timeout` lets a second process on the same file wait for a write lock instead
 * of failing at once.
 */
export function openDatabase(file: string, { migrate: upgrade = true } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): index builds and large broadcasts touch many pages.
  db.pragma('cache_size = -65536');
  if (upgrade) migrate(db);
  return db;
}

function migrate(db: Db): void {
  const apply = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `database schema version ${version} is newer than this program knows (${MIGRATIONS.length})`,
      );
    }
    for (let i = version; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  apply.immediate();
}

/**
 * A transaction that takes the write lock at BEGIN (IMMEDIATE). Read-then-write work must
 * not begin as a reader: if another process writes in between, SQLite cannot upgrade the
 * stale read and fails with SQLITE_BUSY at once instead of waiting out `busy_timeout`.
 */
export function writeTransaction<A extends unknown[], R>(
  db: Db,
  work: (...args: A) => R,
): (...args: A) => R {
  const transaction = db.transaction(work);
  return (...args) => transaction.immediate(...args);
}
