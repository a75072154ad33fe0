import type { Entry } from '../content/entry.ts';
import type { BroadcastStore } from './broadcast-store.ts';
import {
  BroadcastError,
  type Broadcast,
  type BroadcastRequest,
  type DryRun,
} from './broadcast-types.ts';
import { writeBroadcast } from './fan-out.ts';
import type { BroadcastLedger } from './ledger-store.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { Quota } from './quota.ts';

const DRY_RUN_SAMPLE = 20;

export interface OutboxDeps {
  store: OutboxStore;
  /** The library's entries, newest first. */
  entries: () => readonly Entry[];
  entry: (id: string) => Entry | undefined;
  ledger: BroadcastLedger;
  quota: Quota;
  broadcasts: BroadcastStore;
  publicUrl: string;
}

/**
 * The outbox: a broadcast row and one delivery row per recipient, written in ONE
 * transaction, so a crash leaves either the whole broadcast or none of it. The planning
 * (which entries, whose quota) runs inside the same IMMEDIATE transaction, so two
 * instances deciding at once are serialised by the database, and a schedule's tick can
 * be created once only (unique on schedule and tick time).
 */
export interface Outbox {
  /** `created` is false when the tick was already recorded (by this or another instance). */
  create(request: BroadcastRequest, now: Date): Promise<{ broadcast: Broadcast; created: boolean }>;
  /** Who would receive what; nothing is written. */
  dryRun(request: BroadcastRequest, now: Date): Promise<DryRun>;
  /** Records a tick that was not fired: it fell outside the catch-up window. */
  recordMissed(schedule: string, tickAt: Date, now: Date): Promise<void>;
  /** Drops pending deliveries; a broadcast cancelled before anything was sent frees its quota and entries. */
  cancel(id: number, now: Date): Promise<Broadcast>;
  /** Moves a schedule's last fired time forward (never back). */
  markTick(schedule: string, tickAt: Date, now: Date): Promise<void>;
  lastTick(schedule: string): Promise<Date | undefined>;
}

/** Thrown inside a dry run's transaction so that it rolls back. */
class Rollback extends Error {
  constructor(readonly result: DryRun) {
    super('dry run');
  }
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const { store, ledger, broadcasts } = deps;
  const fanOutDeps = { ...deps, lastDigestAt: () => store.lastDigestAt() };
  const write = (request: BroadcastRequest, now: Date) => writeBroadcast(fanOutDeps, request, now);

  return {
    async create(request, now) {
      const { id, created } = await store.transaction(async () => {
        if (request.kind === 'scheduled' || request.kind === 'digest') {
          const existing = await store.tickBroadcast(request.schedule, request.tickAt.getTime());
          if (existing !== undefined) return { id: existing, created: false };
        }
        return { id: await write(request, now), created: true };
      });
      return { broadcast: (await broadcasts.get(id))!, created };
    },

    async dryRun(request, now) {
      try {
        await store.transaction(async () => {
          const id = await write(request, now);
          const broadcast = (await broadcasts.get(id))!;
          if (broadcast.status === 'refused') throw new BroadcastError('quota', broadcast.reason!);
          const counted = request.kind === 'scheduled' || request.kind === 'manual';
          // Read inside the transaction: the rollback empties what the quota noted.
          const over = counted ? await deps.quota.usedUp(DRY_RUN_SAMPLE) : { count: 0, sample: [] };
          throw new Rollback({
            entryIds: broadcast.entryIds,
            reply: broadcast.reply ?? { type: 'articles', articles: [] },
            recipients: broadcast.counts.total,
            byChannel: countsByChannel(await store.byChannel(id)),
            sample: await store.sample(id, DRY_RUN_SAMPLE),
            filtered: broadcast.counts.filtered,
            quota: {
              counted,
              accountType: deps.quota.accountType,
              overQuota: over.count,
              overQuotaSample: over.sample,
            },
          });
        });
      } catch (error) {
        if (error instanceof Rollback) return error.result;
        throw error;
      }
      throw new Error('a dry run did not roll back');
    },

    async recordMissed(schedule, tickAt, now) {
      await store.transaction(async () => {
        await store.markTick(schedule, tickAt.getTime(), now.getTime());
        if ((await store.tickBroadcast(schedule, tickAt.getTime())) !== undefined) return;
        await store.insertBroadcast({
          kind: 'scheduled',
          schedule,
          tickAt: tickAt.getTime(),
          now: now.getTime(),
          status: 'missed',
          reason: 'the service was down at this tick, and it is outside the catch-up window',
          entryIds: '[]',
          reply: null,
        });
      });
    },

    async cancel(id, now) {
      await store.transaction(async () => {
        const broadcast = await broadcasts.get(id);
        if (!broadcast) throw new BroadcastError('not-found', `there is no broadcast ${id}`);
        if (broadcast.status === 'cancelled') return;
        if (broadcast.status !== 'sending') {
          throw new BroadcastError(
            'not-cancellable',
            `broadcast ${id} is ${broadcast.status}; only one still sending can be cancelled`,
          );
        }
        const dropped = await store.cancelPending(id, now.getTime());
        await store.closeCancelled(id, dropped.count, dropped.held, now.getTime());
        const inFlight = broadcast.counts.pending - dropped.count;
        if (broadcast.counts.sent === 0 && inFlight === 0) await ledger.release(id);
      });
      return (await broadcasts.get(id))!;
    },

    markTick: (schedule, tickAt, now) =>
      store.transaction(() => store.markTick(schedule, tickAt.getTime(), now.getTime())),
    async lastTick(schedule) {
      const at = await store.lastTick(schedule);
      return at === undefined ? undefined : new Date(at);
    },
  };
}

/** Deliveries per channel, keyed by channel name: an object with no prototype to collide with. */
function countsByChannel(rows: { channel: string; count: number }[]): Record<string, number> {
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const row of rows) counts[row.channel] = row.count;
  return counts;
}
