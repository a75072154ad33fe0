import type { Pg } from './database.ts';
import { quoteIdent } from '../pg/named-schema.ts';
import { openCursors } from './fresh-queue.ts';
import { BULK_BASE, partitionName, WINDOW_SIZE } from './schema-partitions.ts';

/** Deliveries a fan-out wrote: how many, and their one range of ids. */
export type Range = { n: number; first: number | null; last: number | null };

/** Deliveries inserted by `insert` (a statement `RETURNING id`): how many, and their range. */
export const rangeOf = (insert: string) => `WITH ins AS (${insert} RETURNING id)
  SELECT count(*) AS n, min(id) AS first, max(id) AS last FROM ins`;

/** Audiences expected to reach this many go to a partition of their own (see below). */
export const PARTITION_FROM = 20_000;

const COLUMNS = 'broadcast_id, channel, user_id, status, due_at, entry_set';
/** The parent's NOT NULL columns (but the key's), which a partition must have too. */
const NOT_NULL = [
  'broadcast_id',
  'channel',
  'user_id',
  'status',
  'due_at',
  'attempts',
  'held',
  'entry_set',
  'fresh',
];

/**
 * A large fan-out, written the way PostgreSQL loads fastest: into a table of its own with
 * no index (CREATE TABLE AS), whose primary key is then built once from the rows (a sort,
 * where a million index insertions cost as much as the rows themselves), and which then
 * becomes the broadcast's partition of `deliveries`. Its rows are written `fresh`: the
 * dispatcher claims them from cursors in id order (fresh-queue.ts), so the queue index
 * built here holds none of them. An audience smaller than `partitionFrom` after all moves
 * into `deliveries_main`, as it would have been written, and the table goes.
 *
 * `select` yields (channel, user_id, entry_set) with `$1` the digest, in entry-set order
 * when there are several (a claim takes one entry set); `$2` is the broadcast, `$3` its
 * due time (`due`). Runs in the outbox's transaction, under its lock.
 */
export async function bulkFanOut(
  pg: Pg,
  {
    id,
    due,
    select,
    params,
    partitionFrom,
  }: { id: number; due: number; select: string; params: unknown[]; partitionFrom: number },
): Promise<Range> {
  const [window] = await pg.query<{ w: number }>(`SELECT nextval('deliveries_window_seq') AS w`);
  const base = BULK_BASE + window!.w * WINDOW_SIZE;
  const table = quoteIdent(partitionName(id));
  // Room for the index builds' sorts (for this transaction only: one fan-out at a time holds
  // the outbox's lock); measured 0.1x the bare insert faster than the default 64 MB.
  await pg.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  // The window's ids from a sequence of the session's (no WAL; cached, so it costs less than
  // row_number(), which spools the whole audience), dropped at the end.
  await pg.query(`CREATE TEMP SEQUENCE window_ids START ${base + 1} CACHE 10000`);
  // CREATE TABLE AS loads with PostgreSQL's bulk-insert path, which INSERT ... SELECT lacks;
  // the columns are the parent's, in its types.
  await pg.query(
    `CREATE TABLE ${table} AS SELECT nextval('pg_temp.window_ids') AS id,
       $2::bigint AS broadcast_id, m.channel::text AS channel, m.user_id::text AS user_id,
       'pending'::text AS status, $3::bigint AS due_at, 0 AS attempts, 0 AS held,
       NULL::text AS batch_key, NULL::text AS error, NULL::bigint AS settled_at,
       m.entry_set::integer AS entry_set, true AS fresh
     FROM (${select}) AS m`,
    params,
  );
  await pg.query('DROP SEQUENCE pg_temp.window_ids');
  // One pass checks what a partition must hold (the parent's NOT NULLs, and ids in the
  // window, which spares attaching a pass of its own), then the primary key is built.
  const notNull = NOT_NULL.map((column) => `ALTER ${column} SET NOT NULL`).join(', ');
  await pg.query(`ALTER TABLE ${table} ${notNull},
    ADD CHECK (id >= ${base} AND id < ${base + WINDOW_SIZE}), ADD PRIMARY KEY (id)`);
  const [{ last } = { last: null }] = await pg.query<{ last: number | null }>(
    `SELECT max(id) AS last FROM ${table}`,
  );
  const n = last === null ? 0 : last - base;
  if (n < Math.max(partitionFrom, 1)) return moveToMain(pg, table, n);
  // The parent's queue index (schema-fresh-queue.ts), empty: a pass over the rows, no sort.
  await pg.query(`CREATE INDEX ON ${table} (status, channel, due_at)
    WHERE status IN ('pending', 'claimed') AND NOT fresh`);
  await pg.query(
    `ALTER TABLE deliveries ATTACH PARTITION ${table} FOR VALUES FROM (${base}) TO (${base + WINDOW_SIZE})`,
  );
  const range = { n, first: base + 1, last: base + n };
  await openCursors(pg, { id, due, first: range.first, last: range.last });
  return range;
}

/** A small audience after all: its rows in order into the main partition, ids from its sequence. */
async function moveToMain(pg: Pg, table: string, n: number): Promise<Range> {
  const [range] = n
    ? await pg.query<Range>(
        rangeOf(`INSERT INTO deliveries (${COLUMNS}) SELECT ${COLUMNS} FROM ${table} ORDER BY id`),
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
