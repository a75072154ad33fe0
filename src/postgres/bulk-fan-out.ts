import type { Pg } from './database.ts';
import { quoteIdent } from '../pg/named-schema.ts';
import { BULK_BASE, WINDOW_SIZE } from './schema-partitions.ts';

/** Deliveries a fan-out wrote: how many, and their one range of ids. */
export type Range = { n: number; first: number | null; last: number | null };

/** Audiences expected to reach this many go to a partition of their own (see below). */
export const BULK_FROM = 20_000;

const COLUMNS = 'broadcast_id, channel, user_id, status, due_at, entry_set';

/**
 * A large fan-out, written the way PostgreSQL loads fastest: into a table of its own with
 * no index, whose primary key and queue indexes are then built once from the sorted rows
 * (a sort, where a million index insertions cost twice the rows themselves), and which
 * then becomes the broadcast's partition of `deliveries` (attaching it reads the rows once
 * to check their ids are in its window: a CHECK constraint saying so would cost each row
 * more). An audience smaller than `bulkFrom` after all
 * moves into `deliveries_main`, as it would have been written, and the table goes.
 *
 * `select` yields (channel, user_id, entry_set) with `$1` the digest; `$2` is the
 * broadcast, `$3` its due time. Runs in the outbox's transaction, under its lock.
 */
export async function bulkFanOut(
  pg: Pg,
  {
    id,
    select,
    params,
    bulkFrom,
  }: { id: number; select: string; params: unknown[]; bulkFrom: number },
): Promise<Range> {
  const [window] = await pg.query<{ w: number }>(`SELECT nextval('deliveries_window_seq') AS w`);
  const base = BULK_BASE + window!.w * WINDOW_SIZE;
  const table = quoteIdent(`deliveries_b${id}`);
  await pg.query(`CREATE TABLE ${table} (LIKE deliveries INCLUDING DEFAULTS)`);
  // Empty now, and it stays so (every row comes in pending): built before the rows, it costs
  // each only its WHERE, where built after it would read them all.
  await pg.query(`CREATE INDEX ON ${table} (channel, due_at) WHERE status = 'claimed'`);
  // The window's ids from a sequence of the session's (no WAL; cached, so it costs less than
  // row_number(), which spools the whole audience), dropped at the end.
  await pg.query(`CREATE TEMP SEQUENCE window_ids START ${base + 1} CACHE 10000`);
  await pg.query(
    `INSERT INTO ${table} (id, ${COLUMNS})
     SELECT nextval('pg_temp.window_ids'), $2, m.channel, m.user_id, 'pending', $3, m.entry_set
     FROM (${select}) AS m`,
    params,
  );
  await pg.query('DROP SEQUENCE pg_temp.window_ids');
  await pg.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
  const [{ last } = { last: null }] = await pg.query<{ last: number | null }>(
    `SELECT max(id) AS last FROM ${table}`,
  );
  const n = last === null ? 0 : last - base;
  if (n < Math.max(bulkFrom, 1)) return moveToMain(pg, table, n);
  await pg.query(`CREATE INDEX ON ${table} (channel, due_at) WHERE status = 'pending'`);
  await pg.query(
    `ALTER TABLE deliveries ATTACH PARTITION ${table} FOR VALUES FROM (${base}) TO (${base + WINDOW_SIZE})`,
  );
  return { n, first: base + 1, last: base + n };
}

/** A small audience after all: its rows in order into the main partition, ids from its sequence. */
async function moveToMain(pg: Pg, table: string, n: number): Promise<Range> {
  const [range] = n
    ? await pg.query<Range>(
        `WITH ins AS (INSERT INTO deliveries (${COLUMNS})
           SELECT ${COLUMNS} FROM ${table} ORDER BY id RETURNING id)
         SELECT count(*) AS n, min(id) AS first, max(id) AS last FROM ins`,
      )
    : [{ n: 0, first: null, last: null }];
  await pg.query(`DROP TABLE ${table}`);
  return range!;
}

/** The planner's estimate of the subscribers table's rows (0 before it was ever analyzed). */
export async function subscribersEstimate(pg: Pg): Promise<number> {
  const [row] = await pg.query<{ n: number }>(
    `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'subscribers'::regclass`,
  );
  return Math.max(0, row?.n ?? 0);
}
