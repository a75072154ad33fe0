import type { Reply } from '../engine/types.ts';
import type {
  Broadcast,
  BroadcastKind,
  BroadcastStatus,
  ChannelErrorReport,
  PlatformCounts,
} from './broadcast-types.ts';
import type { ChannelError } from './dispatch-store.ts';

/** A `broadcasts` row as both databases return it (JSON columns as text). */
export type BroadcastRow = {
  id: number;
  kind: BroadcastKind;
  status: BroadcastStatus;
  reason: string | null;
  schedule: string | null;
  tick_at: number | null;
  created_at: number;
  finished_at: number | null;
  entry_ids: string;
  reply: string | null;
  total: number;
  open: number;
  sent: number;
  failed: number;
  skipped: number;
  cancelled: number;
  held: number;
  filtered: number;
  skip_reasons: string | null;
  channel_errors: string | null;
};

/** A `deliveries` row as the report reads it. */
export type DeliveryRow = {
  id: number;
  channel: string;
  user_id: string;
  status: string;
  attempts: number;
  error: string | null;
  settled_at: number | null;
};

/** One recipient's delivery of a broadcast, as the report lists it. */
export interface DeliveryItem {
  id: number;
  channel: string;
  userId: string;
  /** pending | claimed | sent | failed | skipped | cancelled */
  status: string;
  attempts: number;
  /** Why it failed or was skipped; the last error of one waiting for a retry. */
  error?: string;
  settledAt?: Date;
}

/** A broadcast as recorded, with the platform's reports of its mass sends (JSON each). */
export function toBroadcast(row: BroadcastRow, platformReports: string[]): Broadcast {
  const reports = platformReports.map((r) => JSON.parse(r) as PlatformCounts);
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    reason: row.reason ?? undefined,
    schedule: row.schedule ?? undefined,
    tickAt: row.tick_at === null ? undefined : new Date(row.tick_at),
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at === null ? undefined : new Date(row.finished_at),
    entryIds: JSON.parse(row.entry_ids) as string[],
    reply: row.reply === null ? undefined : (JSON.parse(row.reply) as Reply),
    counts: {
      total: row.total,
      sent: row.sent,
      failed: row.failed,
      filtered: row.filtered,
      held: row.held,
      pending: row.open,
      skipped: row.skipped,
      cancelled: row.cancelled,
    },
    skipReasons: row.skip_reasons ? nullProto(JSON.parse(row.skip_reasons)) : undefined,
    channelErrors: row.channel_errors ? channelErrors(row.channel_errors) : undefined,
    platform: reports.length
      ? reports.reduce((sum, r) => ({
          total: sum.total + r.total,
          sent: sum.sent + r.sent,
          failed: sum.failed + r.failed,
          filtered: sum.filtered + r.filtered,
        }))
      : undefined,
  };
}

export function toDeliveryItem(row: DeliveryRow): DeliveryItem {
  return {
    id: row.id,
    channel: row.channel,
    userId: row.user_id,
    status: row.status,
    attempts: row.attempts,
    error: row.error ?? undefined,
    settledAt: row.settled_at === null ? undefined : new Date(row.settled_at),
  };
}

/**
 * The reply of a broadcast for one set of its entries, parsed once and kept: every batch
 * of that set sends the same. `read` finds its kind and reply JSON.
 */
export function cachedReplies(
  read: (
    id: number,
    entrySet: number,
  ) => Promise<{ kind: BroadcastKind; reply?: string | null } | undefined>,
) {
  const replies = new Map<string, { kind: BroadcastKind; reply: Reply }>();
  return async (id: number, entrySet = 0) => {
    const key = `${id}/${entrySet}`;
    let cached = replies.get(key);
    if (!cached) {
      const row = await read(id, entrySet);
      if (!row?.reply) return undefined;
      cached = { kind: row.kind, reply: JSON.parse(row.reply) as Reply };
      replies.set(key, cached);
    }
    return cached;
  };
}

/** A parsed JSON object keyed by data (reasons, channel names), with no prototype behind it. */
function nullProto<T>(value: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, value);
}

function channelErrors(json: string): Record<string, ChannelErrorReport> {
  const stored = JSON.parse(json) as Record<string, ChannelError>;
  const reports = Object.create(null) as Record<string, ChannelErrorReport>;
  for (const [channel, error] of Object.entries(stored)) {
    reports[channel] = {
      ...error,
      at: new Date(error.at),
      pausedUntil: new Date(error.pausedUntil),
    };
  }
  return reports;
}
