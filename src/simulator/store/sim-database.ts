import type BetterSqlite3 from 'better-sqlite3';
import { Database } from '../../sqlite/driver.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The simulator's own database file, never the account's. */
export const SIM_DATABASE_FILE = 'simulator.db';

/**
 * The users' and timelines' tables, one migration a step; applied in order, each once,
 * recorded in `sim_schema_version`. The platform part keeps its own `platform_` tables.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE sim_users (
     openid TEXT PRIMARY KEY,
     nickname TEXT NOT NULL,
     language TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '[]',
     subscribed INTEGER NOT NULL DEFAULT 0,
     subscribe_time INTEGER,
     subscribe_scene TEXT,
     qr_scene TEXT,
     last_message_at INTEGER,
     last_event_at INTEGER,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE sim_timeline (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     openid TEXT NOT NULL,
     at INTEGER NOT NULL,
     source TEXT NOT NULL,
     body TEXT NOT NULL,
     record TEXT
   );
   CREATE INDEX sim_timeline_user ON sim_timeline (openid, id);`,
  // What the phone saw after an action shares the exchange its user's item keeps: one copy
  // written, not two (the record is the larger part of both rows).
  `ALTER TABLE sim_timeline ADD COLUMN record_of INTEGER;`,
];

/** Opens (creating) `dir/simulator.db` in WAL mode with its migrations applied. */
export function openSimDatabase(dir: string): BetterSqlite3.Database {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, SIM_DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Applies the migrations `db` lacks (each once; safe to call again). */
export function migrate(db: BetterSqlite3.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS sim_schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM sim_schema_version').get() as {
    version: number | null;
  };
  const done = row.version ?? 0;
  MIGRATIONS.slice(done).forEach((sql, i) =>
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO sim_schema_version (version) VALUES (?)').run(done + i + 1);
    })(),
  );
}
