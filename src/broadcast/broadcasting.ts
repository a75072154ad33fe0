import { describe } from '../postgres/database.ts';
import type { Entry } from '../content/entry.ts';
import type { JobEngine, JobHealth } from '../jobs/job-engine.ts';
import { startBroadcastJobs, wakeChannels } from './broadcast-jobs.ts';
import type { VirtualClock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Storage } from '../store/storage.ts';
import type { EventHub } from '../events/event-hub.ts';
import { createBroadcastStore, type BroadcastStore } from './broadcast-store.ts';
import type { Broadcast, BroadcastRequest, DryRun, PlatformCounts } from './broadcast-types.ts';
import type { ChannelSender } from './channel-sender.ts';
import { createDispatchStore } from './dispatch-store.ts';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.ts';
import { createMassSendReports } from './mass-send-store.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import { createLedger, type BroadcastLedger } from './ledger-store.ts';
import { createOutboxStore } from './outbox-store.ts';
import { noticingProgress } from './progress-notice.ts';
import { createQuota, type AccountType } from './quota.ts';
import { postgresPartitionStore } from '../postgres/partition-store.ts';
import {
  DELIVERIES_KEPT_DAYS,
  pruneDeliveries,
  sweepWithClock,
  type PruneResult,
} from './delivery-retention.ts';
import { createScheduler, type Schedule, type Scheduler } from './scheduler.ts';

export interface BroadcastingOptions {
  /** Where the broadcasts live: SQLite or PostgreSQL. */
  storage: Storage;
  library: { all(): readonly Entry[]; get(id: string): Entry | undefined };
  log: Logger;
  publicUrl: string;
  /** The account's time zone: quotas count its days and months; quiet hours default to it. */
  timeZone: string;
  accountType: AccountType;
  schedules: Schedule[];
  catchUpHours: number;
  now?: () => Date;
  /** A clock that travels (simulation): schedule ticks become its timers. */
  clock?: VirtualClock;
  dispatch?: Omit<DispatcherOptions, 'deliveries' | 'store' | 'log' | 'defaultTimeZone' | 'now'>;
  /** Where a broadcast's progress is published (created, each settled batch, cancelled). */
  events?: EventHub;
  /** PostgreSQL: days a large broadcast's partition of deliveries outlives its end (default 40). */
  deliveriesKeptDays?: number;
}

/** The broadcast part of the service: outbox, dispatcher and schedules, and what the admin API calls. */
export interface Broadcasting {
  store: BroadcastStore;
  /** Which entries were broadcast, by which broadcast. */
  ledger: BroadcastLedger;
  outbox: Outbox;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  /** A broadcast now (given entries or all due), or a preview to one user. */
  broadcastNow(
    request: Extract<BroadcastRequest, { kind: 'manual' | 'preview' }>,
  ): Promise<Broadcast>;
  dryRun(request: Extract<BroadcastRequest, { kind: 'manual' | 'preview' }>): Promise<DryRun>;
  cancel(id: number): Promise<Broadcast>;
  /** For the WeChat channel's `MASSSENDJOBFINISH` event; returns the broadcast id, if the msg_id is ours. */
  recordMassSendReport(msgId: string, counts: PlatformCounts): Promise<number | undefined>;
  /** Registers a channel's sender; one line per channel. */
  register(sender: ChannelSender): void;
  /** Catches the schedules up, then runs them and the dispatcher. */
  start(): Promise<void>;
  /** Days a large broadcast's deliveries are kept after it ended (PostgreSQL). */
  deliveriesKeptDays: number;
  /**
   * Drops the delivery partitions of broadcasts ended more than `deliveriesKeptDays` ago
   * (the job engine runs it hourly); undefined on SQLite, which has none.
   */
  pruneDeliveries(): Promise<PruneResult | undefined>;
  /** The job engine's health (PostgreSQL); undefined where there is none. */
  jobsHealth(): Promise<JobHealth | undefined>;
  stop(): Promise<void>;
}

export function createBroadcasting(options: BroadcastingOptions): Broadcasting {
  const { storage, library, log, now = () => new Date() } = options;
  const store = createBroadcastStore(storage);
  const { events } = options;
  const publish = async (id: number) => {
    if (!events) return;
    const broadcast = await store.get(id);
    if (broadcast) events.publish({ type: 'broadcast', broadcast });
  };
  const notice = (id: number) =>
    void publish(id).catch((err: unknown) =>
      log.warn(
        { err: describe(err), broadcast: id },
        'could not read a broadcast to publish its progress',
      ),
    );
  const ledger = createLedger(storage);
  const outbox = createOutbox({
    store: createOutboxStore(storage),
    entries: () => library.all(),
    entry: (id) => library.get(id),
    ledger,
    quota: createQuota(storage, options.accountType, options.timeZone),
    broadcasts: store,
    publicUrl: options.publicUrl,
  });
  const dispatcher = createDispatcher({
    ...options.dispatch,
    deliveries: events
      ? noticingProgress(createDispatchStore(storage), (ids) => ids.forEach(notice))
      : createDispatchStore(storage),
    store,
    log,
    now,
    defaultTimeZone: options.timeZone,
  });
  // PostgreSQL (and real time): ticks and wake-ups go through the job engine shared by
  // every instance. A travelling clock (the hosted simulator) fires its own ticks.
  const useJobs = storage.kind === 'postgres' && !options.clock;
  let jobs: JobEngine | undefined;
  let stopSweep: (() => void) | undefined;
  const wake = () => {
    dispatcher.wake();
    if (jobs) wakeChannels(jobs, dispatcher, log);
  };
  const scheduler = createScheduler({
    schedules: options.schedules,
    outbox,
    log,
    catchUpMs: options.catchUpHours * 3_600_000,
    now,
    onCreated: wake,
    clock: options.clock,
    afterTick: () => dispatcher.drain(),
    trigger: useJobs ? 'jobs' : 'cron',
  });
  const keptDays = options.deliveriesKeptDays ?? DELIVERIES_KEPT_DAYS;
  const prune = async () =>
    storage.kind === 'postgres'
      ? pruneDeliveries({
          store: postgresPartitionStore(storage.pg),
          keptDays,
          now: now(),
          log,
        })
      : undefined;
  // After a jump, deliveries that waited for a time now passed (quiet hours, backoff) go.
  options.clock?.onTravel(() => dispatcher.wake());
  return {
    store,
    ledger,
    outbox,
    dispatcher,
    scheduler,
    async broadcastNow(request) {
      const { broadcast } = await outbox.create(request, now());
      log.info(
        { broadcast: broadcast.id, kind: broadcast.kind, recipients: broadcast.counts.total },
        'broadcast created',
      );
      await publish(broadcast.id);
      wake();
      return broadcast;
    },
    dryRun: (request) => outbox.dryRun(request, now()),
    async cancel(id) {
      const broadcast = await outbox.cancel(id, now());
      await publish(id);
      return broadcast;
    },
    recordMassSendReport: createMassSendReports(storage),
    deliveriesKeptDays: keptDays,
    pruneDeliveries: prune,
    register: (sender) => dispatcher.register(sender),
    async start() {
      await scheduler.start();
      dispatcher.start();
      if (storage.kind === 'postgres' && !useJobs) {
        log.warn(
          "schedules follow the hosted simulator's clock in this process, not the shared job engine: run several instances with SIMULATOR=off",
        );
        stopSweep = sweepWithClock({ prune, clock: options.clock, log });
      }
      if (useJobs && storage.kind === 'postgres') {
        jobs = await startBroadcastJobs({
          pg: storage.pg,
          log,
          schedules: options.schedules,
          catchUpHours: options.catchUpHours,
          scheduler,
          dispatcher,
          prune: async () => void (await prune()),
        });
      }
    },
    jobsHealth: async () => jobs?.health(),
    async stop() {
      stopSweep?.();
      stopSweep = undefined;
      await jobs?.stop();
      jobs = undefined;
      await scheduler.stop();
      await dispatcher.stop();
    },
  };
}
