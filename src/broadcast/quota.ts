import { zonedTimeToInstant } from '../content/time-zone.ts';
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
  /** Named parameters the condition uses. */
  recipientParams(now: Date): Record<string, number>;
}

export function createQuota(db: Db, accountType: AccountType, timeZone: string): Quota {
  const today = db.prepare<[number], { count: number; first: number | null }>(
    `SELECT count(*) AS count, min(created_at) AS first FROM broadcasts WHERE created_at >= ? AND ${COUNTED}`,
  );
  return {
    accountType,
    refusal(now) {
      if (accountType !== 'subscription') return undefined;
      const { count, first } = today.get(startOfDay(now, timeZone).getTime())!;
      if (count < BROADCASTS_PER_DAY) return undefined;
      return `a subscription account may broadcast once a day (in ${timeZone}); today's broadcast was created at ${new Date(first!).toISOString()}`;
    },
    recipientCondition:
      accountType === 'service'
        ? `AND (SELECT count(*) FROM broadcasts b JOIN deliveries q
               ON q.broadcast_id = b.id AND q.channel = s.channel AND q.user_id = s.user_id
             WHERE b.created_at >= @monthStart AND b.kind IN ('scheduled', 'manual')
               AND q.status IN ('pending', 'claimed', 'sent')) < ${BROADCASTS_PER_USER_PER_MONTH}`
        : '',
    recipientParams: (now): Record<string, number> =>
      accountType === 'service' ? { monthStart: startOfMonth(now, timeZone).getTime() } : {},
  };
}

const localDate = (now: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);

export function startOfDay(now: Date, timeZone: string): Date {
  return zonedTimeToInstant(`${localDate(now, timeZone)}T00:00:00`, timeZone);
}

export function startOfMonth(now: Date, timeZone: string): Date {
  return zonedTimeToInstant(`${localDate(now, timeZone).slice(0, 8)}01T00:00:00`, timeZone);
}
