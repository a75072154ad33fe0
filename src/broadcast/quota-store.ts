import { postgresQuotaStore } from '../postgres/quota-store.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import type { Storage } from '../store/storage.ts';
import { COUNTED } from './counted-broadcasts.ts';

/** Who has had their month's broadcasts: how many, and the first of them. */
export interface UsedUp {
  count: number;
  sample: { channel: string; userId: string }[];
}

/** The quota's SQL: what was broadcast since a time, and who has had their month's share. */
export interface QuotaStore {
  /** Counted broadcasts created at or after `since`, and when the first was. */
  countSince(since: number): Promise<{ count: number; first: number | undefined }>;
  /** SQL condition on subscriber `s` that leaves out who `noteUsedUp` found; '' when none. */
  readonly recipientCondition: string;
  /** Notes who has had `limit` broadcasts since `since`; call inside the outbox transaction. */
  noteUsedUp(since: number, limit: number): Promise<void>;
  /** Active subscribers `noteUsedUp` found: how many, and the first of them. */
  usedUp(sample: number): Promise<UsedUp>;
}

export function createQuotaStore(storage: Storage, perRecipient: boolean): QuotaStore {
  return storage.kind === 'sqlite'
    ? sqliteQuotaStore(storage.gate, perRecipient)
    : postgresQuotaStore(storage.pg, perRecipient);
}

function sqliteQuotaStore(gate: SqliteGate, perRecipient: boolean): QuotaStore {
  const { db } = gate;
  const today = db.prepare<[number], { count: number; first: number | null }>(
    `SELECT count(*) AS count, min(created_at) AS first FROM broadcasts WHERE created_at >= ? AND ${COUNTED}`,
  );
  if (perRecipient) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS quota_used_up (
      channel TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (channel, user_id)) WITHOUT ROWID`);
  }
  const clear = perRecipient ? db.prepare('DELETE FROM temp.quota_used_up') : undefined;
  // A broadcast's deliveries are one range of ids, so this month's are found without an index.
  const fill = perRecipient
    ? db.prepare(`
      INSERT INTO temp.quota_used_up (channel, user_id)
      SELECT d.channel, d.user_id FROM broadcasts b
      JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
      WHERE b.created_at >= ? AND b.kind IN ('scheduled', 'manual')
        AND d.status IN ('pending', 'claimed', 'sent')
      GROUP BY d.channel, d.user_id HAVING count(*) >= ?`)
    : undefined;
  const usedUpOnes = perRecipient
    ? db.prepare<[number], { channel: string; userId: string }>(
        `SELECT u.channel, u.user_id AS userId FROM temp.quota_used_up u
         JOIN subscribers s ON s.channel = u.channel AND s.user_id = u.user_id
         WHERE s.state = 'active' ORDER BY u.channel, u.user_id LIMIT ?`,
      )
    : undefined;
  const usedUpCount = perRecipient
    ? db.prepare<[], { count: number }>(
        `SELECT count(*) AS count FROM temp.quota_used_up u
         JOIN subscribers s ON s.channel = u.channel AND s.user_id = u.user_id
         WHERE s.state = 'active'`,
      )
    : undefined;
  return {
    usedUp: (sample) =>
      gate.run(() => {
        if (!usedUpOnes || !usedUpCount) return { count: 0, sample: [] };
        return { count: usedUpCount.get()!.count, sample: usedUpOnes.all(sample) };
      }),
    countSince: (since) =>
      gate.run(() => {
        const { count, first } = today.get(since)!;
        return { count, first: first ?? undefined };
      }),
    recipientCondition: perRecipient
      ? `AND NOT EXISTS (SELECT 1 FROM temp.quota_used_up u WHERE u.channel = s.channel AND u.user_id = s.user_id)`
      : '',
    noteUsedUp: (since, limit) =>
      gate.run(() => {
        clear?.run();
        fill?.run(since, limit);
      }),
  };
}
