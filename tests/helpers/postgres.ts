import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgres, quoteIdent, type Pg } from '../../src/postgres/database.ts';
import { postgresStorage, sqliteStorage, type Storage } from '../../src/store/storage.ts';

/**
 * The PostgreSQL the tests use: TEST_DATABASE_URL (CI creates a fresh database per run and
 * sets it). Unset, the PostgreSQL half of the suite is skipped, unless
 * OASIM_REQUIRE_POSTGRES=1 makes that a failure.
 */
export const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
if (!postgresUrl && process.env.OASIM_REQUIRE_POSTGRES === '1') {
  throw new Error('OASIM_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set');
}

export type DatabaseKind = 'sqlite' | 'postgres';
/** The databases a shared test runs on: `describe.each(DATABASES)`. */
export const DATABASES: DatabaseKind[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * The broadcast tests' databases: these, and PostgreSQL again with every fan-out loaded as a
 * partition of its own (what an audience of 20,000 or more gets).
 */
export type FanOutDatabase = DatabaseKind | 'postgres-partitions';
export const FAN_OUT_DATABASES: FanOutDatabase[] = postgresUrl
  ? [...DATABASES, 'postgres-partitions']
  : DATABASES;

export interface TestPostgres extends Pg {
  schema: string;
  url: string;
}

/**
 * A schema of its own on the test database (every connection's search_path), migrated;
 * `close` drops it. Tests in parallel never see each other's rows.
 */
export async function openTestPostgres(
  options: { migrate?: boolean; max?: number } = {},
): Promise<TestPostgres> {
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const db = await openPostgres({
    url: postgresUrl,
    schema,
    max: options.max ?? 4,
    migrate: options.migrate,
  });
  return {
    ...db,
    schema,
    url: postgresUrl,
    async close() {
      await db.close();
      await admin(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    },
  };
}

/** One statement on a connection of its own. */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database of the given kind: a SQLite file in `dir`, or a schema of its own on the
 * test PostgreSQL. What shared store tests open in `beforeEach`.
 */
export async function openTestStorage(kind: FanOutDatabase, dir: string): Promise<Storage> {
  if (kind === 'sqlite') return sqliteStorage(join(dir, 'oasim.db'));
  const pg = await openTestPostgres();
  return postgresStorage(pg, kind === 'postgres-partitions' ? { partitionFrom: 0 } : {});
}
