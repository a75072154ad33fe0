import type Database from 'better-sqlite3';
import { sqlitePlatformStores, type PlatformStores } from '../platform/platform-stores.ts';
import { migrate, openSimDatabase } from './sim-database.ts';
import { createTimelineStore, type TimelineStore } from './timeline-store.ts';
import { createUserStore, type UserStore } from './user-store.ts';
import { writeBatchOf } from './write-batch.ts';

/**
 * The simulator's state, in its own database: its SQLite file, or PostgreSQL
 * (`SIMULATOR_DATABASE_URL`). Never the account's stores: the simulator is a peer on the wire.
 */
export interface SimStorage {
  kind: 'sqlite' | 'postgres';
  users: UserStore;
  timeline: TimelineStore;
  platform: PlatformStores;
  /** Runs `work` in one transaction; a nested call joins the open one. */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /** Inside `atomically`: if `work` throws, only its writes are undone; the transaction goes on. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  /** Told when a commit made after the fact fails (SQLite's group commit). */
  onCommitError(handler: (error: unknown) => void): void;
  close(): Promise<void>;
}

/**
 * `dataDir/simulator.db`. Writes share the group commit of their event-loop turn
 * (write-batch.ts); `atomically` joins it, so work whose store calls all run at once (they
 * do on SQLite) commits as one.
 */
export function sqliteSimStorage(dataDir: string): SimStorage {
  return sqliteStorageOf(openSimDatabase(dataDir));
}

/** The same over an open handle (an in-memory one in tests), migrated first. */
export function sqliteStorageOf(db: Database.Database): SimStorage {
  migrate(db);
  const batch = writeBatchOf(db);
  return {
    kind: 'sqlite',
    users: createUserStore(db),
    timeline: createTimelineStore(db),
    platform: sqlitePlatformStores(db),
    async atomically(work) {
      batch.join();
      return work();
    },
    // Store calls on SQLite run at once, so nothing else writes between these statements.
    async savepoint(work) {
      batch.join();
      db.exec('SAVEPOINT sim_part');
      try {
        const result = await work();
        db.exec('RELEASE sim_part');
        return result;
      } catch (err) {
        db.exec('ROLLBACK TO sim_part; RELEASE sim_part');
        throw err;
      }
    },
    onCommitError: (handler) => void (batch.onError = handler),
    async close() {
      batch.flush();
      db.close();
    },
  };
}
