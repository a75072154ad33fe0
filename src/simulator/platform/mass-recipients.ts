import type { DeliveryDeps } from './mass-chunk.ts';
import type { MassJob } from './mass-store.ts';

/** A service account reaches each user at most 4 times a month; the rest are filtered out. */
export const SERVICE_MONTHLY_RECEIPTS = 4;

/** What a chunk's recipients are, read at once: who follows, who received how much. */
interface Lookup {
  /** Absent for a send to all: the follower list holds followers only. */
  following?: Set<string>;
  /** Absent for a subscription account: no monthly limit. */
  received?: Map<string, number>;
  /** OpenIDs the database would not read (an OpenID it refuses): errors of their own. */
  unreadable: Set<string>;
}

/**
 * Who of a chunk gets the message, in the chunk's order, and how many are errors (not
 * following, unreadable) or filtered out (over a service account's monthly receipts).
 */
export async function planChunk(
  job: MassJob,
  openids: string[],
  month: string,
  deps: DeliveryDeps,
) {
  const { following, received, unreadable } = await lookUp(job, openids, month, deps);
  const recipients: string[] = [];
  let errors = 0;
  let filteredOut = 0;
  for (const openid of openids) {
    // The follower list is followers only; a tag or a list may name someone who left.
    if (unreadable.has(openid) || (following && !following.has(openid))) {
      errors++;
      continue;
    }
    if (received) {
      const count = received.get(openid) ?? 0;
      if (count >= SERVICE_MONTHLY_RECEIPTS) {
        filteredOut++;
        continue;
      }
      received.set(openid, count + 1);
    }
    recipients.push(openid);
  }
  return { recipients, errors, filteredOut };
}

/** The chunk's reads as sets; if they fail, one OpenID at a time, so a bad one costs itself. */
async function lookUp(
  job: MassJob,
  openids: string[],
  month: string,
  deps: DeliveryDeps,
): Promise<Lookup> {
  const read = async (some: string[]) => ({
    following: job.target.kind === 'all' ? undefined : await deps.followers.subscribedAmong(some),
    received:
      deps.accountType === 'service'
        ? await deps.store.receiptsThisMonth([...new Set(some)], month)
        : undefined,
  });
  try {
    return { ...(await deps.savepoint(() => read(openids))), unreadable: new Set() };
  } catch (error) {
    deps.log?.warn({ err: error, msgId: job.msgId }, 'mass chunk unreadable; one OpenID at a time');
  }
  const lookup: Required<Lookup> = {
    following: new Set(),
    received: new Map(),
    unreadable: new Set(),
  };
  for (const openid of new Set(openids)) {
    try {
      const one = await deps.savepoint(() => read([openid]));
      if (!one.following || one.following.has(openid)) lookup.following.add(openid);
      const count = one.received?.get(openid);
      if (count !== undefined) lookup.received.set(openid, count);
    } catch (error) {
      deps.log?.warn({ err: error, openid, msgId: job.msgId }, 'mass recipient unreadable');
      lookup.unreadable.add(openid);
    }
  }
  return {
    ...(job.target.kind !== 'all' && { following: lookup.following }),
    ...(deps.accountType === 'service' && { received: lookup.received }),
    unreadable: lookup.unreadable,
  };
}
