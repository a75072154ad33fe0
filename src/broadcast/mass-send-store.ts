import type { Db } from '../store/database.ts';
import type { PlatformCounts } from './broadcast-types.ts';

/**
 * Stores what the platform reported for one mass send (`MASSSENDJOBFINISH`: TotalCount,
 * SentCount, ErrorCount, FilterCount), matched by the `msg_id` its `mass/send` answered.
 * Returns the broadcast it belongs to, or undefined for a msg_id we never sent (a report
 * for a mass send made from the platform's console, or a forged event).
 */
export function createMassSendReports(
  db: Db,
): (msgId: string, counts: PlatformCounts) => number | undefined {
  const update = db.prepare<[string, string], { broadcastId: number }>(
    'UPDATE send_batches SET report = ? WHERE msg_id = ? RETURNING broadcast_id AS broadcastId',
  );
  return function recordMassSendReport(msgId, counts) {
    return update.get(JSON.stringify(counts), msgId)?.broadcastId;
  };
}
