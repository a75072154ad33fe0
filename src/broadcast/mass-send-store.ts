import { postgresMassSendReports } from '../postgres/mass-send-store.ts';
import type { Storage } from '../store/storage.ts';
import type { PlatformCounts } from './broadcast-types.ts';

/** Records one mass send's report; the broadcast it belongs to, or undefined. */
export type MassSendReports = (
  msgId: string,
  counts: PlatformCounts,
) => Promise<number | undefined>;

/**
 * Stores what the platform reported for one mass send (`MASSSENDJOBFINISH`: TotalCount,
 * SentCount, ErrorCount, FilterCount), matched by the `msg_id` its `mass/send` answered.
 * Returns the broadcast it belongs to, or undefined for a msg_id we never sent (a report
 * for a mass send made from the platform's console, or a forged event).
 */
export function createMassSendReports(storage: Storage): MassSendReports {
  if (storage.kind === 'postgres') return postgresMassSendReports(storage.pg);
  const { gate } = storage;
  const update = gate.db.prepare<[string, string], { broadcastId: number }>(
    'UPDATE send_batches SET report = ? WHERE msg_id = ? RETURNING broadcast_id AS broadcastId',
  );
  return function recordMassSendReport(msgId, counts) {
    return gate.run(() => update.get(JSON.stringify(counts), msgId)?.broadcastId);
  };
}
