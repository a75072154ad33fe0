import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split('.')[0]);

/**
 * The SQLite driver for this Node. better-sqlite3 12 derives its Database and Statement
 * from node::ObjectWrap, whose destructor on Node 24.19 and later aborts the process
 * (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook) when an idle
 * garbage collection finalises one; 13 moved to Node-API and ships prebuilt binaries, but
 * needs Node 22. So Node 22 and later load 13 (installed as `better-sqlite3-napi`), and
 * Node 20 keeps 12. Both have the same API. Shared by the account's stores and the
 * simulator's, which own separate database files.
 */
export const Database: typeof BetterSqlite3 = require(
  nodeMajor >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3',
) as typeof BetterSqlite3;

export type Database = BetterSqlite3.Database;
