import type { Reply } from '../engine/types.ts';
import { postgresBroadcastStore } from '../postgres/broadcast-store.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import type { Storage } from '../store/storage.ts';
import {
  cachedReplies,
  toBroadcast,
  toDeliveryItem,
  type BroadcastRow,
  type DeliveryItem,
  type DeliveryRow,
} from './broadcast-row.ts';
import type { Broadcast, BroadcastKind } from './broadcast-types.ts';

export type { DeliveryItem } from './broadcast-row.ts';

/** Broadcasts as recorded, with their counts; the counters move in the dispatcher's transactions. */
export interface BroadcastStore {
  get(id: number): Promise<Broadcast | undefined>;
  /** Newest first; `before` is the id of the last broadcast of the previous page. */
  list(options: { limit: number; before?: number }): Promise<Broadcast[]>;
  /**
   * The reply of a broadcast for one set of its entries (0: all of them), parsed once and
   * kept: every batch of that set sends the same.
   */
  reply(id: number, entrySet?: number): Promise<{ kind: BroadcastKind; reply: Reply } | undefined>;
  /** Its deliveries in id order; `after` is the id of the last one of the previous page. */
  deliveries(id: number, options: { limit: number; after?: number }): Promise<DeliveryItem[]>;
  /** Whether its deliveries were dropped by the retention sweep (PostgreSQL; never on SQLite). */
  deliveriesRemoved(id: number): Promise<boolean>;
}

export function createBroadcastStore(storage: Storage): BroadcastStore {
  return storage.kind === 'sqlite'
    ? sqliteBroadcastStore(storage.gate)
    : postgresBroadcastStore(storage.pg);
}

function sqliteBroadcastStore(gate: SqliteGate): BroadcastStore {
  const { db } = gate;
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
  const deliveryPage = db.prepare<{ id: number; after: number; limit: number }, DeliveryRow>(
    `SELECT d.id, d.channel, d.user_id, d.status, d.attempts, d.error, d.settled_at
     FROM broadcasts b JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
     WHERE b.id = @id AND d.id > @after ORDER BY d.id LIMIT @limit`,
  );
  const withReports = (row: BroadcastRow) =>
    toBroadcast(
      row,
      platform.all(row.id).map((r) => r.report),
    );

  return {
    get: (id) =>
      gate.run(() => {
        const row = one.get(id);
        return row && withReports(row);
      }),
    list: ({ limit, before = Number.MAX_SAFE_INTEGER }) =>
      gate.run(() => page.all(before, limit).map(withReports)),
    deliveries: (id, { limit, after = 0 }) =>
      gate.run(() => deliveryPage.all({ id, after, limit }).map(toDeliveryItem)),
    deliveriesRemoved: async () => false,
    reply: cachedReplies((id, entrySet) =>
      gate.run(() => {
        const row = one.get(id);
        if (!row) return undefined;
        return {
          kind: row.kind,
          reply: entrySet === 0 ? row.reply : setReply.get(id, entrySet)?.reply,
        };
      }),
    ),
  };
}
