import type pg from 'pg';

/**
 * What the account's and the simulator's PostgreSQL stores share (a kit like src/sqlite:
 * it imports nothing of either).
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A search_path that names no existing schema (a URL's `options=-c search_path=oasim` on a
 * fresh database): its first schema is created, so the tables have a home, rather than
 * PostgreSQL's "no schema has been selected to create in".
 */
export async function createNamedSchema(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ name: string | null }>(
    `SELECT CASE WHEN current_schema() IS NULL THEN (
       SELECT (parse_ident(trim(entry)))[1] FROM unnest(string_to_array(current_setting('search_path'), ',')) AS entry
       WHERE trim(entry) NOT IN ('', '"$user"') LIMIT 1) END AS name`,
  );
  const name = rows[0]?.name;
  if (name) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}`);
}
