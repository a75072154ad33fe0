import { afterEach, describe, expect, it } from 'vitest';
import { migratePostgres, openPostgres } from '../../src/postgres/database.ts';
import { POSTGRES_MIGRATIONS } from '../../src/postgres/migrations.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';

const opened: TestPostgres[] = [];
const open = async (options?: { migrate?: boolean }) => {
  const db = await openTestPostgres(options);
  opened.push(db);
  return db;
};
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

describe.skipIf(!postgresUrl)('PostgreSQL connection', () => {
  it('migrates once when several instances start together (advisory lock)', async () => {
    const db = await open({ migrate: false });
    const others = await Promise.all(
      [1, 2, 3].map(() => openPostgres({ url: db.url, schema: db.schema, max: 2 })),
    );
    await Promise.all(others.map((other) => other.close()));
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_version');
    expect(rows).toEqual([{ version: POSTGRES_MIGRATIONS.length }]);
    await migratePostgres(db);
    expect(await db.query('SELECT version FROM schema_version')).toHaveLength(1);
  });

  it("creates the schema DATABASE_URL's search_path names when it does not exist yet", async () => {
    const db = await open({ migrate: false });
    const schema = `${db.schema}_fresh`;
    const url = new URL(db.url);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const account = await openPostgres({ url: url.toString() });
    try {
      expect(await account.query('SELECT current_schema() AS schema')).toEqual([{ schema }]);
      expect(await account.query('SELECT version FROM schema_version')).toEqual([
        { version: POSTGRES_MIGRATIONS.length },
      ]);
    } finally {
      await account.close();
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('runs a transaction on one connection, and rolls it back whole on an error', async () => {
    const db = await open();
    await db.query('CREATE TABLE t (v TEXT)');
    await expect(
      db.transaction(async () => {
        await db.query("INSERT INTO t VALUES ('a')");
        // A query from outside the transaction does not see its rows.
        expect(await outside(db, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
        await db.transaction(async () => void (await db.query("INSERT INTO t VALUES ('b')")));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await db.query('SELECT * FROM t')).toEqual([]);
    await db.transaction(async () => void (await db.query("INSERT INTO t VALUES ('c')")));
    expect(await db.query('SELECT * FROM t')).toEqual([{ v: 'c' }]);
  });

  it('refuses a database whose schema is newer than this program', async () => {
    const db = await open();
    await db.query('UPDATE schema_version SET version = 999');
    await expect(openPostgres({ url: db.url, schema: db.schema, max: 1 })).rejects.toThrow(
      /schema version 999 is newer/,
    );
  });
});

/** A query on a connection of its own, outside any transaction of `db`. */
async function outside(db: TestPostgres, sql: string) {
  const client = await db.pool.connect();
  try {
    // pool.connect() bypasses the transaction's context: it is another connection.
    return (await client.query(sql)).rows;
  } finally {
    client.release();
  }
}
