import type Database from 'better-sqlite3';

/**
 * A better-sqlite3 transaction with the async stores' shape: it runs at once (inside the
 * turn's open batch it is a savepoint), and its promise settles with its outcome.
 */
export function asyncTransaction<A extends unknown[], R>(
  db: Database.Database,
  work: (...args: A) => R,
): (...args: A) => Promise<R> {
  const run = db.transaction(work);
  return async (...args: A) => run(...args);
}
