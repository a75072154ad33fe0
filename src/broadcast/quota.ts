import { wallClock, zonedTimeToInstant } from '../time/time-zone.ts';
import type { Db } from '../store/database.ts';

/**
 * The platform's mass-send limits: a subscription account (订阅号) may broadcast once a
 * day; a service account (服务号) may reach each user at most 4 times a month.
 */
export type AccountType = 'subscription' | 'service';

export const BROADCASTS_PER_DAY = 1;
export const BROADCASTS_PER_USER_PER_MONTH = 4;

/** Broadcasts that count: sent or sending. One cancelled before anything went out gives its quota back. */
const COUNTED = `kind IN ('scheduled', 'manual') AND (status IN ('sending', 'done') OR sent > 0)`;

export interface Quota {
  accountType: AccountType;
  /** Why an account-wide broadcast is refused now, or undefined when allowed. */
  refusal(now: Date): string | undefined;
  /** SQL condition on subscriber `s` for the per-user limit (service accounts); '' when none. */
  recipientCondition: string;
  /** Notes who has used up their month, for `recipientCondition`; call inside the transaction. */
  prepare(now: Date): void;
}

export function createQuota(db: Db, accountType: AccountType, timeZone: string): Quota {
  const today = db.prepare<[number], { count: number; first: number | null }>(
    `SELECT count(*) AS count, min(created_at) AS first FROM broadcasts WHERE created_at >= ? AND ${COUNTED}`,
  );
  const service = accountType === 'service';
  if (service) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS quota_used_up (
      channel TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (channel, user_id)) WITHOUT ROWID`);
  }
  const clear = service ? db.prepare('DELETE FROM temp.quota_used_up') : undefined;
  // A broadcast's deliveries are one range of ids, so this month's are found without an index.
  const fill = service
    ? db.prepare(`
      INSERT INTO temp.quota_used_up (channel, user_id)
      SELECT d.channel, d.user_id FROM broadcasts b
      JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
      WHERE b.created_at >= ? AND b.kind IN ('scheduled', 'manual')
        AND d.status IN ('pending', 'claimed', 'sent')
      GROUP BY d.channel, d.user_id HAVING count(*) >= ${BROADCASTS_PER_USER_PER_MONTH}`)
    : undefined;
  return {
    accountType,
    refusal(now) {
      if (accountType !== 'subscription') return undefined;
      const { count, first } = today.get(startOfDay(now, timeZone).getTime())!;
      if (count < BROADCASTS_PER_DAY) return undefined;
      return `a subscription account may broadcast once a day (in ${timeZone}); today's broadcast was created at ${new Date(first!).toISOString()}`;
    },
    recipientCondition: service
      ? `AND NOT EXISTS (SELECT 1 FROM temp.quota_used_up u WHERE u.channel = s.channel AND u.user_id = s.user_id)`
      : '',
    prepare(now) {
      clear?.run();
      fill?.run(startOfMonth(now, timeZone).getTime());
    },
  };
}

const localDate = (now: Date, timeZone: string) => wallClock(now, timeZone).slice(0, 10);

export function startOfDay(now: Date, timeZone: string): Date {
  return zonedTimeToInstant(`${localDate(now, timeZone)}T00:00:00`, timeZone);
}

export function startOfMonth(now: Date, timeZone: string): Date {
  return zonedTimeToInstant(`${localDate(now, timeZone).slice(0, 8)}01T00:00:00`, timeZone);
}
