import { postgresStatsStore } from '../postgres/stats-store.ts';
import type { SqliteGate } from './sqlite-gate.ts';
import type { Storage } from './storage.ts';
import type { SubscriberState } from './subscribers.ts';

/**
 * Counts are taken per quarter hour, the finest step of any time zone's offset from UTC,
 * so that the caller can fold them into days of whatever zone it shows, DST included.
 */
export const BUCKET_MS = 15 * 60_000;

/** A count in the quarter hour that starts at `start` (ms since the epoch). */
export type Bucket = {
  start: number;
  count: number;
};

/** The dashboard's counts: read-only queries over the account's tables. */
export interface StatsStore {
  subscribersByChannelState(): Promise<
    { channel: string; state: SubscriberState; count: number }[]
  >;
  /** Messages users sent since `since`: not the account's replies, nor events (follows, clicks). */
  messagesIn(since: Date): Promise<Bucket[]>;
  /** Broadcast deliveries that ended since `since`, by how they ended (sent or failed). */
  deliveriesSettled(since: Date): Promise<(Bucket & { status: 'sent' | 'failed' })[]>;
}

/** The dashboard's counts over the account's database, whichever kind it is. */
export function createStatsStore(storage: Storage): StatsStore {
  return storage.kind === 'sqlite'
    ? sqliteStatsStore(storage.gate)
    : postgresStatsStore(storage.pg);
}

export function sqliteStatsStore({ db, run }: SqliteGate): StatsStore {
  const byChannelState = db.prepare<[], { channel: string; state: SubscriberState; count: number }>(
    'SELECT channel, state, COUNT(*) AS count FROM subscribers GROUP BY channel, state ORDER BY channel, state',
  );
  // The step is written into the SQL: a bound number arrives as REAL, and `/` would not round.
  const messages = db.prepare<[number], Bucket>(`
    SELECT (at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, COUNT(*) AS count FROM conversation_log
    WHERE direction = 'in' AND at >= ? AND json_extract(body, '$.kind') <> 'event'
    GROUP BY 1 ORDER BY 1`);
  const deliveries = db.prepare<[number], Bucket & { status: 'sent' | 'failed' }>(
    `
    SELECT (settled_at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, status, COUNT(*) AS count FROM deliveries
    WHERE status IN ('sent', 'failed') AND settled_at >= ? GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return {
    subscribersByChannelState: () => run(() => byChannelState.all()),
    messagesIn: (since) => run(() => messages.all(since.getTime())),
    deliveriesSettled: (since) => run(() => deliveries.all(since.getTime())),
  };
}
