import type Database from 'better-sqlite3';

/**
 * Group commit for the simulator's database: writes made in one turn of the event loop
 * share one commit, made once the turn is over. Under load, conversations finishing
 * together then write the pages they share (a timeline's leaf, its index, a user's row)
 * once, not once each. Reads on this connection see the writes at once; the commit
 * follows within the turn, so another connection (or a crash) sees them at most one turn
 * late. Work inside runs as a savepoint: if it throws, only it is undone.
 */
export interface WriteBatch {
  run<T>(work: () => T): T;
  /**
   * Opens the turn's transaction if none is open: what follows in this turn commits with
   * it (no savepoint: async work cannot be one).
   */
  join(): void;
  /** Commits now (before the database closes). */
  flush(): void;
  /**
   * Told when a commit at the end of a turn fails (a full disk, say): that turn's writes
   * are rolled back and the process goes on. Without one, the failure is a warning.
   */
  onError: (error: unknown) => void;
}

const batches = new WeakMap<Database.Database, WriteBatch>();

/** The one write batch of a connection. */
export function writeBatchOf(db: Database.Database): WriteBatch {
  let batch = batches.get(db);
  if (!batch) {
    batch = createWriteBatch(db);
    batches.set(db, batch);
  }
  return batch;
}

function createWriteBatch(db: Database.Database): WriteBatch {
  let open = false;
  const nested = db.transaction((work: () => unknown) => work());
  const flush = () => {
    if (!open) return;
    open = false;
    if (db.open && db.inTransaction) db.exec('COMMIT');
  };
  const join = () => {
    if (db.inTransaction) return;
    db.exec('BEGIN IMMEDIATE');
    open = true;
    setImmediate(() => {
      try {
        flush();
      } catch (error) {
        if (db.open && db.inTransaction) db.exec('ROLLBACK');
        batch.onError(error);
      }
    });
  };
  const batch: WriteBatch = {
    run<T>(work: () => T): T {
      join();
      return nested(work) as T;
    },
    join,
    flush,
    onError: (error) => process.emitWarning(`simulator commit failed: ${String(error)}`),
  };
  return batch;
}
