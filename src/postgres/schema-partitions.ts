/**
 * Deliveries partitioned by id range (the fan-out's write cost; see outbox-store.ts).
 *
 * Every delivery written one by one, and every audience below the bulk size, keeps going to
 * `deliveries_main`, ids below 2^52 from `deliveries_id_seq`. A bulk fan-out gets a
 * partition of its own: a window of 2^32 ids above 2^52 (`deliveries_window_seq` numbers
 * the windows; the last ends at 2^53, the largest integer a JavaScript number holds
 * exactly), loaded with no index and indexed once the rows are in. The queue's partial
 * indexes and the primary key are the parent's, so every partition has them.
 */
export const BULK_BASE = 2 ** 52;
/** A broadcast's partition is named by its id: `deliveries_b<id>`. */
export const PARTITION_PREFIX = 'deliveries_b';
export const partitionName = (broadcastId: number) => `${PARTITION_PREFIX}${broadcastId}`;
export const WINDOW_SIZE = 2 ** 32;
const WINDOWS = (2 ** 53 - BULK_BASE) / WINDOW_SIZE;

export const PARTITIONS_SCHEMA = `
ALTER TABLE deliveries RENAME TO deliveries_main;
ALTER INDEX deliveries_pkey RENAME TO deliveries_main_pkey;
ALTER INDEX deliveries_pending RENAME TO deliveries_main_pending;
ALTER INDEX deliveries_claimed RENAME TO deliveries_main_claimed;
ALTER SEQUENCE deliveries_id_seq RENAME TO deliveries_main_id_seq;

-- A partitioned table has no identity column on PostgreSQL 15: the ids come from a plain
-- sequence that goes on from where the identity was.
CREATE SEQUENCE deliveries_id_seq;
SELECT setval('deliveries_id_seq', last_value, is_called) FROM deliveries_main_id_seq;
ALTER TABLE deliveries_main ALTER COLUMN id DROP IDENTITY;

CREATE TABLE deliveries (
  id BIGINT NOT NULL DEFAULT nextval('deliveries_id_seq'),
  broadcast_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0,
  batch_key TEXT,
  error TEXT,
  settled_at BIGINT,
  entry_set INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (id)
) PARTITION BY RANGE (id);
ALTER SEQUENCE deliveries_id_seq OWNED BY deliveries.id;
CREATE INDEX deliveries_pending ON deliveries (channel, due_at) WHERE status = 'pending';
CREATE INDEX deliveries_claimed ON deliveries (channel, due_at) WHERE status = 'claimed';
ALTER TABLE deliveries ATTACH PARTITION deliveries_main FOR VALUES FROM (MINVALUE) TO (${BULK_BASE});

CREATE SEQUENCE deliveries_window_seq MINVALUE 0 START 0 MAXVALUE ${WINDOWS - 1};
`;
