import type { Entry } from '../content/entry.ts';
import { articlesReply } from '../engine/reply-specs.ts';
import type { Reply } from '../engine/types.ts';
import { BroadcastError, type BroadcastRequest, type BroadcastStatus } from './broadcast-types.ts';
import type { OutboxStore } from './outbox-store.ts';
import { chooseEntries, type PlannerDeps } from './planner.ts';
import type { Quota } from './quota.ts';
import { entriesOf, entrySetFor, parseTopics } from './topic-sets.ts';

export interface FanOutDeps extends PlannerDeps {
  store: OutboxStore;
  quota: Quota;
  publicUrl: string;
}

const NO_TOPICS = '[]';

type Tick = { schedule: string; tickAt: number } | { schedule: null; tickAt: null };

/**
 * Writes one broadcast: its row, then one delivery per recipient. Runs inside the
 * outbox's transaction; returns the new broadcast's id.
 */
export async function writeBroadcast(
  deps: FanOutDeps,
  request: BroadcastRequest,
  now: Date,
): Promise<number> {
  const { store, quota } = deps;
  const at = now.getTime();
  const tick: Tick =
    request.kind === 'scheduled' || request.kind === 'digest'
      ? { schedule: request.schedule, tickAt: request.tickAt.getTime() }
      : { schedule: null, tickAt: null };
  const record = (
    status: BroadcastStatus,
    reason: string | null,
    entries: Entry[],
    reply?: Reply,
  ) =>
    store.insertBroadcast({
      kind: request.kind,
      ...tick,
      now: at,
      status,
      reason,
      entryIds: JSON.stringify(entries.map((e) => e.id)),
      reply: reply ? JSON.stringify(reply) : null,
    });
  if (tick.schedule !== null) await store.markTick(tick.schedule, tick.tickAt, at);

  const entries = await chooseEntries(deps, request, now);
  if (entries.length === 0) {
    if (request.kind === 'manual' || request.kind === 'preview')
      throw new BroadcastError(
        'nothing-due',
        'nothing to broadcast: no published entry is waiting',
      );
    return record('empty', 'nothing due', []);
  }
  const counted = request.kind === 'scheduled' || request.kind === 'manual';
  const refusal = counted ? await quota.refusal(now) : undefined;
  if (refusal) {
    if (request.kind === 'manual') throw new BroadcastError('quota', refusal);
    return record('refused', refusal, entries);
  }
  const id = await record('sending', null, entries, articlesReply(entries, deps.publicUrl));

  if (request.kind === 'preview') {
    const targets = (await previewTargets(store, request)).map((channel) => ({
      channel,
      userId: request.user,
    }));
    await store.setTotals(id, await store.insertDeliveries(id, targets, at), 0, at);
    return id;
  }
  await fanOutAudience(deps, { id, request, entries, counted }, now);
  return id;
}

/**
 * The channels a preview goes to: the one asked for, or every channel the user is known
 * on. A user who was never a subscriber there (in any state) is refused: a preview to
 * nobody would be accepted and delivered nowhere.
 */
async function previewTargets(
  store: OutboxStore,
  request: Extract<BroadcastRequest, { kind: 'preview' }>,
): Promise<string[]> {
  const known = await store.channelsOf(request.user);
  if (request.channel === undefined) {
    if (known.length) return known;
    throw new BroadcastError('unknown-recipient', `no subscriber ${request.user} on any channel`);
  }
  if (known.includes(request.channel)) return [request.channel];
  throw new BroadcastError(
    'unknown-recipient',
    `no subscriber ${request.user} on channel ${request.channel}`,
  );
}

/**
 * Deliveries for every subscriber the entries are for, within their quota. Each gets the
 * entries of the topics they follow (all when they follow none); subscribers with the
 * same subset share its reply, and one with nothing matching gets nothing (`filtered`).
 */
async function fanOutAudience(
  deps: FanOutDeps,
  {
    id,
    request,
    entries,
    counted,
  }: { id: number; request: BroadcastRequest; entries: Entry[]; counted: boolean },
  now: Date,
): Promise<void> {
  const { store, quota } = deps;
  const at = now.getTime();
  const digest = request.kind === 'digest' ? 'daily' : 'off';
  const sets = new Set<number>();
  // Entries without topics reach only those who follow none (stored as `[]`, as the
  // subscriber store writes it): no need to read every subscriber's list.
  const topic = request.kind === 'manual' ? request.topic?.toLowerCase() : undefined;
  const lists =
    topic || entries.some((e) => e.topics.length) ? await store.topicLists(digest) : [NO_TOPICS];
  // A broadcast for one topic's followers: the other topic lists get no set (filtered).
  const audience = topic
    ? lists.filter((topics) => parseTopics(topics).some((t) => t.toLowerCase() === topic))
    : lists;
  await store.setTopicSets(
    audience.flatMap((topics) => {
      const entrySet = entrySetFor(parseTopics(topics), entries);
      if (entrySet === undefined) return [];
      sets.add(entrySet);
      return [{ topics, entrySet }];
    }),
  );
  if (counted) await quota.prepare(now);
  const total = await store.fanOut(id, digest, at, counted ? quota.recipientCondition : '');
  if (
    total === 0 &&
    counted &&
    quota.recipientCondition &&
    (await store.countMatching(digest)) > 0
  ) {
    const reason = 'every subscriber it is for has had 4 broadcasts this month (service account)';
    if (request.kind === 'manual') throw new BroadcastError('quota', reason);
    await store.refuse(id, reason);
    return;
  }
  for (const entrySet of sets) {
    if (entrySet === 0) continue;
    const subset = entriesOf(entrySet, entries);
    const reply = articlesReply(subset, deps.publicUrl);
    await store.insertReply(
      id,
      entrySet,
      JSON.stringify(subset.map((e) => e.id)),
      JSON.stringify(reply),
    );
  }
  if (request.kind !== 'digest') await deps.ledger.record(entries, id, now);
  // At least 0: on PostgreSQL the count may be read beside the fan-out, a moment apart.
  const filtered = Math.max(0, (await store.countEligible(digest)) - total);
  await store.setTotals(id, total, filtered, at);
}
