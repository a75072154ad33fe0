import type { Entry } from '../content/entry.ts';
import { isPublished } from '../content/published.ts';
import { MAX_ARTICLES } from '../engine/types.ts';
import { BroadcastError, type BroadcastRequest } from './broadcast-types.ts';
import type { BroadcastLedger } from './ledger-store.ts';

export type { BroadcastLedger } from './ledger-store.ts';

const DAY_MS = 86_400_000;

/** What the planner reads: the library, the ledger and when the last digest went out. */
export interface PlannerDeps {
  /** The library's entries, newest first. */
  entries: () => readonly Entry[];
  entry: (id: string) => Entry | undefined;
  ledger: BroadcastLedger;
  lastDigestAt: () => Promise<number | undefined>;
}

/**
 * What a tick sends: published entries never broadcast, newest first, at most 8 (the
 * platform's limit for one article message); the rest wait for the next tick.
 */
export async function pickDueEntries(
  entries: readonly Entry[],
  ledger: BroadcastLedger,
  now: Date,
  limit = MAX_ARTICLES,
): Promise<Entry[]> {
  const due: Entry[] = [];
  for (const entry of entries) {
    if (due.length >= limit) break;
    if (!isPublished(entry, now) || (await ledger.wasBroadcast(entry))) continue;
    due.push(entry);
  }
  return due.sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime());
}

/** The entries a request sends, checked; throws for what an operator asked wrongly. */
export async function chooseEntries(
  deps: PlannerDeps,
  request: BroadcastRequest,
  now: Date,
): Promise<Entry[]> {
  const { ledger } = deps;
  if (request.kind === 'digest') {
    const since = (await deps.lastDigestAt()) ?? now.getTime() - DAY_MS;
    return (await ledger.since(new Date(since)))
      .map((id) => deps.entry(id))
      .filter((entry): entry is Entry => entry !== undefined)
      .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime())
      .slice(0, MAX_ARTICLES);
  }
  const ids =
    request.kind === 'manual' || request.kind === 'preview' ? request.entryIds : undefined;
  if (!ids?.length) return pickDueEntries(deps.entries(), ledger, now);
  const chosen: Entry[] = [];
  for (const id of ids) {
    const entry = deps.entry(id);
    if (!entry) throw new BroadcastError('unknown-entry', `there is no entry "${id}"`);
    if (request.kind === 'preview') {
      chosen.push(entry);
      continue;
    }
    if (!isPublished(entry, now)) {
      throw new BroadcastError(
        'not-published',
        `entry "${id}" is not published until ${entry.publishedAt.toISOString()}`,
      );
    }
    if (await ledger.wasBroadcast(entry)) {
      throw new BroadcastError(
        'already-broadcast',
        `entry "${id}" was already broadcast; an entry is broadcast once only`,
      );
    }
    chosen.push(entry);
  }
  return chosen;
}
