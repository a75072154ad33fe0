import type { Reply } from '../engine/types.ts';

/** `scheduled` and `digest` come from a schedule tick; `manual` and `preview` from the admin API. */
export type BroadcastKind = 'scheduled' | 'manual' | 'preview' | 'digest';

/**
 * `sending` until every delivery settles, then `done`. A tick that sent nothing is still
 * recorded: `empty` (nothing due), `refused` (over quota), `missed` (outside the catch-up window).
 */
export type BroadcastStatus = 'sending' | 'done' | 'cancelled' | 'refused' | 'empty' | 'missed';

/** The completion report of one broadcast. */
export interface BroadcastCounts {
  /** Deliveries created: one per recipient and channel. */
  total: number;
  sent: number;
  failed: number;
  /** Active subscribers left out: their topics did not match, or their quota was used up. */
  filtered: number;
  /** Deliveries waiting for the recipient's quiet hours to end. */
  held: number;
  /** Not yet settled (including held ones). */
  pending: number;
  /** Dropped because the subscriber left or was blocked before their turn. */
  skipped: number;
  cancelled: number;
}

/** What the platform reported for the mass sends of a broadcast (`MASSSENDJOBFINISH`). */
export interface PlatformCounts {
  total: number;
  sent: number;
  failed: number;
  filtered: number;
}

export interface Broadcast {
  id: number;
  kind: BroadcastKind;
  status: BroadcastStatus;
  reason?: string;
  schedule?: string;
  tickAt?: Date;
  createdAt: Date;
  finishedAt?: Date;
  entryIds: string[];
  reply?: Reply;
  counts: BroadcastCounts;
  /** Why deliveries were skipped, with how many for each reason. */
  skipReasons?: Record<string, number>;
  /** Per channel, the last time the platform refused the account; sending paused then. */
  channelErrors?: Record<string, ChannelErrorReport>;
  platform?: PlatformCounts;
}

/** An account-level error on one channel: no recipient was counted against for it. */
export interface ChannelErrorReport {
  error: string;
  errcode?: number;
  at: Date;
  pausedUntil: Date;
  /** Batches the platform refused. */
  count: number;
}

/** What to broadcast: a schedule's tick, or an operator's request. */
export type BroadcastRequest =
  | { kind: 'scheduled' | 'digest'; schedule: string; tickAt: Date }
  | {
      kind: 'manual';
      entryIds?: string[];
      /** Only the subscribers who follow this topic (lower case); absent, everyone. */
      topic?: string;
    }
  | { kind: 'preview'; user: string; channel?: string; entryIds?: string[] };

/** Who a broadcast would reach, answered by a dry run without sending anything. */
export interface DryRun {
  entryIds: string[];
  reply: Reply;
  recipients: number;
  byChannel: Record<string, number>;
  /** The first recipients, in (channel, user) order. */
  sample: { channel: string; userId: string }[];
  filtered: number;
  /** What it would count against the platform's quota, and who is already over theirs. */
  quota: DryRunQuota;
}

export interface DryRunQuota {
  /** False for a preview or a digest, which the quota does not count. */
  counted: boolean;
  accountType: 'subscription' | 'service';
  /** Active subscribers left out because they had their 4 broadcasts this month (service). */
  overQuota: number;
  overQuotaSample: { channel: string; userId: string }[];
}

export type BroadcastErrorCode =
  | 'quota'
  | 'nothing-due'
  | 'unknown-entry'
  | 'already-broadcast'
  | 'not-published'
  | 'not-found'
  | 'unknown-recipient'
  | 'not-cancellable';

/** A broadcast the domain refuses, with a reason an operator can act on. */
export class BroadcastError extends Error {
  constructor(
    readonly code: BroadcastErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BroadcastError';
  }
}
