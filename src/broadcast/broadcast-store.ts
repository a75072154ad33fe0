import type { Reply } from '../engine/types.ts';
import type { Db } from '../store/database.ts';
import type {
  Broadcast,
  BroadcastKind,
  BroadcastStatus,
  ChannelErrorReport,
  PlatformCounts,
} from './broadcast-types.ts';
import type { ChannelError } from './dispatch-store.ts';

interface BroadcastRow {
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
}

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

/** Broadcasts as recorded, with their counts; the counters move in the dispatcher's transactions. */
export interface BroadcastStore {
  get(id: number): Broadcast | undefined;
  /** Newest first; `before` is the id of the last broadcast of the previous page. */
  list(options: { limit: number; before?: number }): Broadcast[];
  /**
   * The reply of a broadcast for one set of its entries (0: all of them), parsed once and
   * kept: every batch of that set sends the same.
   */
  reply(id: number, entrySet?: number): { kind: BroadcastKind; reply: Reply } | undefined;
  /** Its deliveries in id order; `after` is the id of the last one of the previous page. */
  deliveries(id: number, options: { limit: number; after?: number }): DeliveryItem[];
}

export function createBroadcastStore(db: Db): BroadcastStore {
  const one = db.prepare<[number], BroadcastRow>('SELECT * FROM broadcasts WHERE id = ?');
  const page = db.prepare<[number, number], BroadcastRow>(
    'SELECT * FROM broadcasts WHERE id < ? ORDER BY id DESC LIMIT ?',
  );
  const platform = db.prepare<[number], { report: string }>(
    'SELECT report FROM send_batches WHERE broadcast_id = ? AND report IS NOT NULL',
  );
  const setReply = db.prepare<[number, number], { reply: string }>(
    'SELECT reply FROM broadcast_replies WHERE broadcast_id = ? AND entry_set = ?',
  );
  // A broadcast's deliveries are one range of ids: read by primary key, no index needed.
  const deliveryPage = db.prepare<
    { id: number; after: number; limit: number },
    {
      id: number;
      channel: string;
      user_id: string;
      status: string;
      attempts: number;
      error: string | null;
      settled_at: number | null;
    }
  >(
    `SELECT d.id, d.channel, d.user_id, d.status, d.attempts, d.error, d.settled_at
     FROM broadcasts b JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
     WHERE b.id = @id AND d.id > @after ORDER BY d.id LIMIT @limit`,
  );
  const replies = new Map<string, { kind: BroadcastKind; reply: Reply }>();

  const toBroadcast = (row: BroadcastRow): Broadcast => {
    const reports = platform.all(row.id).map((r) => JSON.parse(r.report) as PlatformCounts);
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
  };

  return {
    get(id) {
      const row = one.get(id);
      return row && toBroadcast(row);
    },
    list({ limit, before = Number.MAX_SAFE_INTEGER }) {
      return page.all(before, limit).map(toBroadcast);
    },
    deliveries(id, { limit, after = 0 }) {
      return deliveryPage.all({ id, after, limit }).map((row) => ({
        id: row.id,
        channel: row.channel,
        userId: row.user_id,
        status: row.status,
        attempts: row.attempts,
        error: row.error ?? undefined,
        settledAt: row.settled_at === null ? undefined : new Date(row.settled_at),
      }));
    },
    reply(id, entrySet = 0) {
      const key = `${id}/${entrySet}`;
      let cached = replies.get(key);
      if (!cached) {
        const row = one.get(id);
        const reply = entrySet === 0 ? row?.reply : setReply.get(id, entrySet)?.reply;
        if (!row || !reply) return undefined;
        cached = { kind: row.kind, reply: JSON.parse(reply) as Reply };
        replies.set(key, cached);
      }
      return cached;
    },
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
