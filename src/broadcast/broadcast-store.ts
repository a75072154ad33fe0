import type { Reply } from '../engine/types.ts';
import type { Db } from '../store/database.ts';
import type {
  Broadcast,
  BroadcastKind,
  BroadcastStatus,
  PlatformCounts,
} from './broadcast-types.ts';

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
}

/** Broadcasts as recorded, with their counts; the counters move in the dispatcher's transactions. */
export interface BroadcastStore {
  get(id: number): Broadcast | undefined;
  /** Newest first; `before` is the id of the last broadcast of the previous page. */
  list(options: { limit: number; before?: number }): Broadcast[];
  /** The reply of a broadcast, parsed once and kept: every batch of it sends the same. */
  reply(id: number): { kind: BroadcastKind; reply: Reply } | undefined;
}

export function createBroadcastStore(db: Db): BroadcastStore {
  const one = db.prepare<[number], BroadcastRow>('SELECT * FROM broadcasts WHERE id = ?');
  const page = db.prepare<[number, number], BroadcastRow>(
    'SELECT * FROM broadcasts WHERE id < ? ORDER BY id DESC LIMIT ?',
  );
  const platform = db.prepare<[number], { report: string }>(
    'SELECT report FROM send_batches WHERE broadcast_id = ? AND report IS NOT NULL',
  );
  const replies = new Map<number, { kind: BroadcastKind; reply: Reply }>();

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
    reply(id) {
      let cached = replies.get(id);
      if (!cached) {
        const row = one.get(id);
        if (!row?.reply) return undefined;
        cached = { kind: row.kind, reply: JSON.parse(row.reply) as Reply };
        replies.set(id, cached);
      }
      return cached;
    },
  };
}
