/**
 * Fresh deliveries of a bulk fan-out stay out of the queue index (see fresh-queue.ts).
 * PostgreSQL only, as the partitions are: SQLite's deliveries are one table, queued
 * through its two partial indexes.
 *
 * A bulk partition's rows are written `fresh`: the dispatcher claims them in id order
 * from a cursor per broadcast and channel (`delivery_cursors`), through the primary key,
 * so the one queue index a partition builds in the outbox's transaction is empty. A
 * delivery leaves `fresh` when it is first claimed or held; from then on (a retry, a
 * release, a hold) it is queued through the index like every delivery of
 * `deliveries_main`, whose rows are never fresh. The pending and claimed queues share one
 * partial index: one pass over a partition's rows to build, not two.
 */
export const FRESH_QUEUE_SCHEMA = `
ALTER TABLE deliveries ADD COLUMN fresh BOOLEAN NOT NULL DEFAULT false;
DROP INDEX deliveries_pending;
DROP INDEX deliveries_claimed;
CREATE INDEX deliveries_queue ON deliveries (status, channel, due_at)
  WHERE status IN ('pending', 'claimed') AND NOT fresh;

CREATE TABLE delivery_cursors (
  broadcast_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  -- The fan-out's due time: every fresh delivery of the broadcast has it.
  due_at BIGINT NOT NULL,
  -- Fresh deliveries of this channel are claimed from after_id to last_id, in id order.
  -- (last_id is the broadcast's last_delivery, kept here too: deliveries whose broadcast
  -- row is gone are still claimed, and skipped for it, rather than left pending.)
  after_id BIGINT NOT NULL,
  last_id BIGINT NOT NULL,
  PRIMARY KEY (broadcast_id, channel)
);
CREATE INDEX delivery_cursors_due ON delivery_cursors (channel, due_at, broadcast_id);
`;
