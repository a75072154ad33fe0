import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, quoteIdent, type Pg } from '../../src/postgres/database.ts';

/** The PostgreSQL the benchmarks use; unset, the PostgreSQL suites print a note and skip. */
export const benchDatabaseUrl = process.env.DATABASE_URL || undefined;

export interface BenchSchema {
  schema: string;
  /** DATABASE_URL for a service process: every connection's search_path is the schema. */
  url: string;
  /** A pool on the schema, migrated. */
  pg: Pg;
  /** Closes the pool and drops the schema (and the job engine's schema beside it). */
  drop(): Promise<void>;
}

/** Says why a PostgreSQL suite measured nothing; the table then has no rows of it. */
export function skipWithoutDatabase(suite: string): boolean {
  if (benchDatabaseUrl) return false;
  console.error(`${suite}: skipped, DATABASE_URL is not set (a PostgreSQL database to bench on)`);
  return true;
}

/**
 * A fresh schema of its own on the bench database, migrated, so a run never meets another
 * run's rows, and a pool on it. The schema is dropped at the end, with graphile-worker's
 * `<schema>_jobs` when a service made one.
 */
export async function openBenchSchema(max = 4): Promise<BenchSchema> {
  if (!benchDatabaseUrl) throw new Error('DATABASE_URL is not set');
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const db = await openPostgres({ url: benchDatabaseUrl, schema, max });
  const url = new URL(benchDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    pg: db,
    async drop() {
      await db.close();
      await admin(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_jobs`)} CASCADE`);
      await admin(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    },
  };
}

/** `count` active subscribers of `channel`, set-based (the seed is setup, not measured). */
export async function seedSubscribers(db: Pg, channel: string, count: number): Promise<void> {
  await db.query(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
     SELECT $1, 'o' || lpad(i::text, 27, '0'), 'active', '[]', 0, 0
     FROM generate_series(1, $2::int) AS i`,
    [channel, count],
  );
  // Vacuumed too: autovacuum would otherwise visit the million new rows while a suite
  // measures (it did, adding a tenth to whichever statement it overlapped).
  await db.query('VACUUM (ANALYZE) subscribers');
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
