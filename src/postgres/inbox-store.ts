import { toInboxItem, type InboxRow, type InboxStore } from '../store/inbox.ts';
import type { Pg } from './database.ts';

// A broadcast's items point to its reply, stored once on the broadcast (issue 4). Both
// replies are read as text, whichever type the broadcast part gives its column.
const PAGE = `
  SELECT i.id, i.at, i.source,
    CASE WHEN i.broadcast_id IS NULL THEN i.reply::text ELSE b.reply::text END AS reply
  FROM inbox i LEFT JOIN broadcasts b ON b.id = i.broadcast_id
  WHERE i.channel = $1 AND i.user_id = $2 AND i.id < $3 ORDER BY i.id DESC LIMIT $4`;

/** The simulated channels' inboxes on PostgreSQL. */
export function postgresInboxStore(pg: Pg): InboxStore {
  return {
    async deliver(channel, userId, reply, source, now) {
      const [row] = await pg.query<{ id: number }>(
        'INSERT INTO inbox (channel, user_id, at, source, reply) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [channel, userId, now.getTime(), source, JSON.stringify(reply)],
      );
      return row!.id;
    },
    async list(channel, userId, { limit, before = Number.MAX_SAFE_INTEGER }) {
      const rows = await pg.query<InboxRow>(PAGE, [channel, userId, before, limit]);
      return rows.map(toInboxItem);
    },
  };
}
