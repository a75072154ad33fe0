import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './database.ts';

/**
 * One SQLite connection shared by async code. The stores' interfaces are async (the same
 * interfaces run on PostgreSQL); on SQLite each operation is still one synchronous call, but
 * a transaction that awaits between its statements must not let another task's statements
 * into it (they would commit or roll back with it). So while a transaction is open, every
 * operation from outside it waits for it to end; operations inside it (the same async
 * context) go straight through.
 *
 * A transaction's work must await only store calls: nothing slow (no network) while it holds
 * the connection.
 */
export interface SqliteGate {
  db: Db;
  /** Runs one synchronous store operation when the connection is free (or ours). */
  run<R>(work: () => R): Promise<R>;
  /** Runs `work` in one write transaction (BEGIN IMMEDIATE); a nested call joins the open one. */
  transaction<R>(work: () => Promise<R>): Promise<R>;
}

export function createSqliteGate(db: Db): SqliteGate {
  const context = new AsyncLocalStorage<symbol>();
  let held: { owner: symbol; ended: Promise<void> } | undefined;
  const foreign = () => held !== undefined && context.getStore() !== held.owner;

  return {
    db,
    async run(work) {
      // The check and the work are in one synchronous step: nothing can open a transaction between them.
      while (foreign()) await held!.ended;
      return work();
    },
    async transaction(work) {
      if (held && context.getStore() === held.owner) return work();
      while (foreign()) await held!.ended;
      const owner = Symbol('transaction');
      let end!: () => void;
      held = { owner, ended: new Promise<void>((resolve) => (end = resolve)) };
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await context.run(owner, work);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        held = undefined;
        end();
      }
    },
  };
}
