import type { MassSendReports } from '../broadcast/mass-send-store.ts';
import type { Pg } from './database.ts';

/** The platform's report of a mass send, on PostgreSQL. */
export function postgresMassSendReports(pg: Pg): MassSendReports {
  return async function recordMassSendReport(msgId, counts) {
    const [row] = await pg.query<{ broadcastId: number }>(
      'UPDATE send_batches SET report = $1 WHERE msg_id = $2 RETURNING broadcast_id AS "broadcastId"',
      [JSON.stringify(counts), msgId],
    );
    return row?.broadcastId;
  };
}
