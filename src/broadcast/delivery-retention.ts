import type { VirtualClock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import { describe } from '../postgres/database.ts';

/** Days a broadcast's partition outlives its end by default (`DELIVERIES_KEPT_DAYS`). */
export const DELIVERIES_KEPT_DAYS = 40;

const DAY_MS = 86_400_000;
const ENDED = new Set(['done', 'cancelled']);

/** A partition of `deliveries` that holds one broadcast's deliveries (PostgreSQL only). */
export interface BroadcastPartition {
  /** Schema-qualified and quoted, for SQL. */
  table: string;
  name: string;
  broadcastId: number;
  /** Its broadcast row; undefined when there is none. */
  broadcast: { status: string; finishedAt: number | null; total: number } | undefined;
}

export interface PartitionStore {
  list(): Promise<BroadcastPartition[]>;
  /**
   * Drops it unless it still holds a pending or claimed delivery (`unsettled`), or its lock
   * was not had in time (`locked`: another transaction uses `deliveries`).
   */
  drop(partition: BroadcastPartition): Promise<'dropped' | 'unsettled' | 'locked'>;
}

export interface PruneResult {
  dropped: string[];
  kept: string[];
}

/**
 * Drops the partitions of broadcasts that ended (done or cancelled) more than `keptDays`
 * ago: every partition is planned for by each query on `deliveries` that cannot be pruned
 * (the dispatcher's queue), so a daily large broadcast would slow them down for ever. The
 * broadcast row and its counts stay. A partition without a broadcast row is left alone; one
 * failure does not stop the others (the next hour tries again).
 */
export async function pruneDeliveries({
  store,
  keptDays,
  now,
  log,
}: {
  store: PartitionStore;
  keptDays: number;
  now: Date;
  log: Logger;
}): Promise<PruneResult> {
  const before = now.getTime() - keptDays * DAY_MS;
  const result: PruneResult = { dropped: [], kept: [] };
  for (const partition of await store.list()) {
    const { name, broadcastId, broadcast } = partition;
    if (!broadcast) {
      log.warn({ partition: name }, 'a partition of deliveries has no broadcast: left alone');
      result.kept.push(name);
      continue;
    }
    const ended =
      ENDED.has(broadcast.status) && broadcast.finishedAt !== null && broadcast.finishedAt < before;
    if (!ended) {
      result.kept.push(name);
      continue;
    }
    try {
      const outcome = await store.drop(partition);
      if (outcome === 'dropped') {
        log.info(
          { partition: name, broadcast: broadcastId, rows: broadcast.total, keptDays },
          'deliveries of an ended broadcast dropped',
        );
        result.dropped.push(name);
        continue;
      }
      if (outcome === 'locked')
        log.warn({ partition: name }, 'partition busy: its drop is left for the next hour');
      else
        log.warn(
          { partition: name, broadcast: broadcastId },
          'an ended broadcast still has pending or claimed deliveries: partition kept',
        );
    } catch (err) {
      log.warn({ err: describe(err), partition: name }, 'could not drop a partition');
    }
    result.kept.push(name);
  }
  return result;
}

const HOUR_MS = 3_600_000;

/**
 * The sweep where no job engine runs it (PostgreSQL under the hosted simulator's
 * travelling clock): hourly in real time, and after each travel of the clock, since a jump
 * of weeks ends retention periods at once. Returns what stops it.
 */
export function sweepWithClock({
  prune,
  clock,
  log,
}: {
  prune: () => Promise<unknown>;
  clock: Pick<VirtualClock, 'onTravel'> | undefined;
  log: Logger;
}): () => void {
  const sweep = async () => {
    try {
      await prune();
    } catch (err) {
      log.error({ err: describe(err) }, 'the retention sweep of deliveries failed; next hour');
    }
  };
  const timer = setInterval(() => void sweep(), HOUR_MS);
  timer.unref();
  const off = clock?.onTravel(sweep);
  return () => {
    clearInterval(timer);
    off?.();
  };
}
