import { wallClock, zonedTimeToInstant } from '../time/time-zone.ts';
import type { Storage } from '../store/storage.ts';
import { createQuotaStore, type UsedUp } from './quota-store.ts';

/**
 * The platform's mass-send limits: a subscription account (订阅号) may broadcast once a
 * day; a service account (服务号) may reach each user at most 4 times a month.
 */
export type AccountType = 'subscription' | 'service';

export const BROADCASTS_PER_DAY = 1;
export const BROADCASTS_PER_USER_PER_MONTH = 4;

export interface Quota {
  accountType: AccountType;
  /** Why an account-wide broadcast is refused now, or undefined when allowed. */
  refusal(now: Date): Promise<string | undefined>;
  /** SQL condition on subscriber `s` for the per-user limit (service accounts); '' when none. */
  recipientCondition: string;
  /** Notes who has used up their month, for `recipientCondition`; call inside the transaction. */
  prepare(now: Date): Promise<void>;
  /** After `prepare`, in the same transaction: who has had their month's broadcasts. */
  usedUp(sample: number): Promise<UsedUp>;
}

export function createQuota(storage: Storage, accountType: AccountType, timeZone: string): Quota {
  const store = createQuotaStore(storage, accountType === 'service');
  return {
    accountType,
    async refusal(now) {
      if (accountType !== 'subscription') return undefined;
      const { count, first } = await store.countSince(startOfDay(now, timeZone).getTime());
      if (count < BROADCASTS_PER_DAY) return undefined;
      return `a subscription account may broadcast once a day (in ${timeZone}); today's broadcast was created at ${new Date(first!).toISOString()}`;
    },
    recipientCondition: store.recipientCondition,
    usedUp: (sample) => store.usedUp(sample),
    prepare(now) {
      return store.noteUsedUp(startOfMonth(now, timeZone).getTime(), BROADCASTS_PER_USER_PER_MONTH);
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
