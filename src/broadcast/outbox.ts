import type { Entry } from '../content/entry.ts';
import { articlesReply } from '../engine/reply-specs.ts';
import { MAX_ARTICLES, type Reply } from '../engine/types.ts';
import type { Db } from '../store/database.ts';
import type { BroadcastStore } from './broadcast-store.ts';
import {
  BroadcastError,
  type Broadcast,
  type BroadcastKind,
  type BroadcastRequest,
  type BroadcastStatus,
  type DryRun,
} from './broadcast-types.ts';
import { pickDueEntries, type BroadcastLedger } from './planner.ts';
import type { Quota } from './quota.ts';

/** The channel a preview goes to when the user is not a subscriber anywhere. */
export const DEFAULT_PREVIEW_CHANNEL = 'api';
const DRY_RUN_SAMPLE = 20;
const DAY_MS = 86_400_000;

export interface OutboxDeps {
  db: Db;
  /** The library's entries, newest first. */
  entries: () => readonly Entry[];
  entry: (id: string) => Entry | undefined;
  ledger: BroadcastLedger;
  quota: Quota;
  store: BroadcastStore;
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
  create(request: BroadcastRequest, now: Date): { broadcast: Broadcast; created: boolean };
  /** Who would receive what; nothing is written. */
  dryRun(request: BroadcastRequest, now: Date): DryRun;
  /** Records a tick that was not fired: it fell outside the catch-up window. */
  recordMissed(schedule: string, tickAt: Date, now: Date): void;
  /** Drops pending deliveries; a broadcast cancelled before anything was sent frees its quota and entries. */
  cancel(id: number, now: Date): Broadcast;
  /** Moves a schedule's last fired time forward (never back). */
  markTick(schedule: string, tickAt: Date, now: Date): void;
  lastTick(schedule: string): Date | undefined;
}

/** Thrown inside a dry run's transaction so that it rolls back. */
class Rollback extends Error {
  constructor(readonly result: DryRun) {
    super('dry run');
  }
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const { db, ledger, quota, store } = deps;
  const existingTick = db.prepare<[string, number], { id: number }>(
    'SELECT id FROM broadcasts WHERE schedule = ? AND tick_at = ?',
  );
  const insertBroadcast = db.prepare<{
    kind: BroadcastKind;
    schedule: string | null;
    tickAt: number | null;
    now: number;
    status: BroadcastStatus;
    reason: string | null;
    entryIds: string;
    reply: string | null;
  }>(`
    INSERT INTO broadcasts (kind, schedule, tick_at, created_at, status, reason, entry_ids, reply)
    VALUES (@kind, @schedule, @tickAt, @now, @status, @reason, @entryIds, @reply)`);
  const matches = `s.state = 'active' AND s.digest = @digest AND (s.topics = '[]' OR EXISTS (
      SELECT 1 FROM json_each(s.topics) t WHERE t.value IN (SELECT value FROM json_each(@topics))))`;
  const fanOut = (withQuota: boolean) =>
    db.prepare(`
      INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at)
      SELECT @id, s.channel, s.user_id, 'pending', @now FROM subscribers s
      WHERE ${matches} ${withQuota ? quota.recipientCondition : ''}`);
  const fanOutCounted = fanOut(true);
  const fanOutAll = fanOut(false);
  const countMatching = db.prepare<Record<string, unknown>, { count: number }>(
    `SELECT count(*) AS count FROM subscribers s WHERE ${matches}`,
  );
  const countEligible = db.prepare<[string], { count: number }>(
    `SELECT count(*) AS count FROM subscribers WHERE state = 'active' AND digest = ?`,
  );
  const insertOne = db.prepare(
    `INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at) VALUES (?, ?, ?, 'pending', ?)`,
  );
  const channelsOf = db.prepare<[string], { channel: string }>(
    'SELECT channel FROM subscribers WHERE user_id = ? ORDER BY channel',
  );
  const setTotals = db.prepare(
    `UPDATE broadcasts SET total = @total, open = @total, filtered = @filtered,
       status = CASE WHEN @total = 0 THEN 'done' ELSE status END,
       finished_at = CASE WHEN @total = 0 THEN @now ELSE NULL END
     WHERE id = @id`,
  );
  const refuse = db.prepare(
    `UPDATE broadcasts SET status = 'refused', reason = ?, reply = NULL WHERE id = ?`,
  );
  const setRange = db.prepare(
    'UPDATE broadcasts SET first_delivery = ?, last_delivery = ? WHERE id = ?',
  );
  const inRange = `id BETWEEN (SELECT first_delivery FROM broadcasts WHERE id = @id)
    AND (SELECT last_delivery FROM broadcasts WHERE id = @id)`;
  const byChannel = db.prepare<{ id: number }, { channel: string; count: number }>(
    `SELECT channel, count(*) AS count FROM deliveries WHERE ${inRange} GROUP BY channel`,
  );
  const sample = db.prepare<{ id: number; limit: number }, { channel: string; userId: string }>(
    `SELECT channel, user_id AS userId FROM deliveries WHERE ${inRange} ORDER BY channel, user_id LIMIT @limit`,
  );
  const lastDigest = db.prepare<[], { at: number | null }>(
    `SELECT max(created_at) AS at FROM broadcasts WHERE kind = 'digest' AND status IN ('sending', 'done')`,
  );
  const upsertTick = db.prepare(`
    INSERT INTO schedules (name, last_tick_at, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET last_tick_at = max(last_tick_at, excluded.last_tick_at),
      updated_at = excluded.updated_at`);
  const readTick = db.prepare<[string], { last_tick_at: number }>(
    'SELECT last_tick_at FROM schedules WHERE name = ?',
  );
  const cancelPending = db.prepare<{ now: number; id: number }, { held: number }>(
    `UPDATE deliveries SET status = 'cancelled', settled_at = @now WHERE ${inRange} AND status = 'pending'
     RETURNING held`,
  );
  const closeCancelled = db.prepare(`
    UPDATE broadcasts SET cancelled = cancelled + @count, open = open - @count, held = held - @held,
      status = 'cancelled', finished_at = @now
    WHERE id = @id`);

  const markTick = (schedule: string, tickAt: Date, now: Date) =>
    void upsertTick.run(schedule, tickAt.getTime(), now.getTime());

  /** The entries a request sends, checked; throws for what an operator asked wrongly. */
  function chooseEntries(request: BroadcastRequest, now: Date): Entry[] {
    if (request.kind === 'digest') {
      const since = lastDigest.get()?.at ?? now.getTime() - DAY_MS;
      return ledger
        .since(new Date(since))
        .map((id) => deps.entry(id))
        .filter((entry): entry is Entry => entry !== undefined)
        .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime())
        .slice(0, MAX_ARTICLES);
    }
    const ids =
      request.kind === 'manual' || request.kind === 'preview' ? request.entryIds : undefined;
    if (!ids?.length) return pickDueEntries(deps.entries(), ledger, now);
    return ids.map((id) => {
      const entry = deps.entry(id);
      if (!entry) throw new BroadcastError('unknown-entry', `there is no entry "${id}"`);
      if (request.kind === 'preview') return entry;
      if (entry.publishedAt > now) {
        throw new BroadcastError(
          'not-published',
          `entry "${id}" is not published until ${entry.publishedAt.toISOString()}`,
        );
      }
      if (ledger.wasBroadcast(entry)) {
        throw new BroadcastError(
          'already-broadcast',
          `entry "${id}" was already broadcast; an entry is broadcast once only`,
        );
      }
      return entry;
    });
  }

  /** The body of the transaction: returns the new broadcast's id. */
  function write(request: BroadcastRequest, now: Date): number {
    const at = now.getTime();
    const tick =
      request.kind === 'scheduled' || request.kind === 'digest'
        ? { schedule: request.schedule, tickAt: request.tickAt.getTime() }
        : { schedule: null, tickAt: null };
    const record = (
      status: BroadcastStatus,
      reason: string | null,
      entries: Entry[],
      reply?: Reply,
    ) =>
      Number(
        insertBroadcast.run({
          kind: request.kind,
          ...tick,
          now: at,
          status,
          reason,
          entryIds: JSON.stringify(entries.map((e) => e.id)),
          reply: reply ? JSON.stringify(reply) : null,
        }).lastInsertRowid,
      );
    if (tick.schedule !== null) markTick(tick.schedule, new Date(tick.tickAt), now);

    const entries = chooseEntries(request, now);
    if (entries.length === 0) {
      if (request.kind === 'manual' || request.kind === 'preview')
        throw new BroadcastError(
          'nothing-due',
          'nothing to broadcast: no published entry is waiting',
        );
      return record('empty', 'nothing due', []);
    }
    const counted = request.kind === 'scheduled' || request.kind === 'manual';
    const refusal = counted ? quota.refusal(now) : undefined;
    if (refusal) {
      if (request.kind === 'manual') throw new BroadcastError('quota', refusal);
      return record('refused', refusal, entries);
    }
    const reply = articlesReply(entries, deps.publicUrl);
    const id = record('sending', null, entries, reply);

    if (request.kind === 'preview') {
      const channels = request.channel
        ? [request.channel]
        : channelsOf.all(request.user).map((row) => row.channel);
      const targets = channels.length ? channels : [DEFAULT_PREVIEW_CHANNEL];
      const ids = targets.map((channel) =>
        Number(insertOne.run(id, channel, request.user, at).lastInsertRowid),
      );
      setRange.run(ids[0], ids.at(-1), id);
      setTotals.run({ id, total: targets.length, filtered: 0, now: at });
      return id;
    }

    const digest = request.kind === 'digest' ? 'daily' : 'off';
    const params = {
      id,
      now: at,
      digest,
      topics: JSON.stringify([
        ...new Set(entries.flatMap((e) => e.topics.map((t) => t.toLowerCase()))),
      ]),
    };
    if (counted) quota.prepare(now);
    const inserted = (counted ? fanOutCounted : fanOutAll).run(params);
    const total = inserted.changes;
    if (total)
      setRange.run(
        Number(inserted.lastInsertRowid) - total + 1,
        Number(inserted.lastInsertRowid),
        id,
      );
    if (total === 0 && counted && quota.recipientCondition) {
      if (countMatching.get({ digest, topics: params.topics })!.count > 0) {
        const reason =
          'every subscriber it is for has had 4 broadcasts this month (service account)';
        if (request.kind === 'manual') throw new BroadcastError('quota', reason);
        refuse.run(reason, id);
        return id;
      }
    }
    if (request.kind !== 'digest') ledger.record(entries, id, now);
    const eligible = countEligible.get(digest)!.count;
    setTotals.run({ id, total, filtered: eligible - total, now: at });
    return id;
  }

  return {
    create: (request, now) => {
      const run = db.transaction(() => {
        if (request.kind === 'scheduled' || request.kind === 'digest') {
          const existing = existingTick.get(request.schedule, request.tickAt.getTime());
          if (existing) return { id: existing.id, created: false };
        }
        return { id: write(request, now), created: true };
      });
      const { id, created } = run.immediate();
      return { broadcast: store.get(id)!, created };
    },

    dryRun(request, now) {
      const run = db.transaction(() => {
        const id = write(request, now);
        const broadcast = store.get(id)!;
        if (broadcast.status === 'refused') throw new BroadcastError('quota', broadcast.reason!);
        throw new Rollback({
          entryIds: broadcast.entryIds,
          reply: broadcast.reply ?? { type: 'articles', articles: [] },
          recipients: broadcast.counts.total,
          byChannel: Object.fromEntries(
            byChannel.all({ id }).map((row) => [row.channel, row.count]),
          ),
          sample: sample.all({ id, limit: DRY_RUN_SAMPLE }),
          filtered: broadcast.counts.filtered,
        });
      });
      try {
        run.immediate();
      } catch (error) {
        if (error instanceof Rollback) return error.result;
        throw error;
      }
      throw new Error('a dry run did not roll back');
    },

    recordMissed(schedule, tickAt, now) {
      db.transaction(() => {
        markTick(schedule, tickAt, now);
        if (existingTick.get(schedule, tickAt.getTime())) return;
        insertBroadcast.run({
          kind: 'scheduled',
          schedule,
          tickAt: tickAt.getTime(),
          now: now.getTime(),
          status: 'missed',
          reason: 'the service was down at this tick, and it is outside the catch-up window',
          entryIds: '[]',
          reply: null,
        });
      }).immediate();
    },

    cancel(id, now) {
      db.transaction(() => {
        const broadcast = store.get(id);
        if (!broadcast) throw new BroadcastError('not-found', `there is no broadcast ${id}`);
        if (broadcast.status === 'cancelled') return;
        if (broadcast.status !== 'sending') {
          throw new BroadcastError(
            'not-cancellable',
            `broadcast ${id} is ${broadcast.status}; only one still sending can be cancelled`,
          );
        }
        const dropped = cancelPending.all({ now: now.getTime(), id });
        const held = dropped.reduce((sum, row) => sum + row.held, 0);
        closeCancelled.run({ id, count: dropped.length, held, now: now.getTime() });
        const inFlight = broadcast.counts.pending - dropped.length;
        if (broadcast.counts.sent === 0 && inFlight === 0) ledger.release(id);
      }).immediate();
      return store.get(id)!;
    },

    markTick: (schedule, tickAt, now) =>
      db.transaction(() => markTick(schedule, tickAt, now)).immediate(),
    lastTick(schedule) {
      const row = readTick.get(schedule);
      return row && new Date(row.last_tick_at);
    },
  };
}
