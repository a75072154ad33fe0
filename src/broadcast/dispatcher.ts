import { describe } from '../postgres/database.ts';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import type { BroadcastStore } from './broadcast-store.ts';
import type { ChannelSender, SendResult } from './channel-sender.ts';
import { createClaimer } from './claiming.ts';
import type { DispatchStore } from './dispatch-store.ts';
import { createRateLimiter, realWait, type Wait } from './rate-limiter.ts';
import { createChannelPauses } from './retry-policy.ts';
import { sendBatch } from './sending.ts';
import { createSettler } from './settling.ts';
import { addSteps, EMPTY_STEP, type StepResult } from './step-result.ts';
import { skipUnserved } from './stranded.ts';

export type { StepResult } from './step-result.ts';

export interface DispatcherOptions {
  /** The delivery queue and the counters it moves. */
  deliveries: DispatchStore;
  /** Where a batch finds its broadcast's reply. */
  store: Pick<BroadcastStore, 'reply'>;
  log: Logger;
  /** The account's time zone: quiet hours of a subscriber who set none are read in it. */
  defaultTimeZone: string;
  now?: () => Date;
  /** Deliveries claimed in one transaction (a channel with a bigger `maxBatch` claims that many). */
  batchSize?: number;
  /** How long a claim is ours; after it, another process takes the batch over (a crash). */
  leaseMs?: number;
  /** Attempts before a retryable failure becomes final. */
  maxAttempts?: number;
  /** First retry delay; it doubles with each attempt, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Consecutive failed deliveries after which a subscriber is marked blocked. */
  blockAfterFailures?: number;
  /** Deliveries a second across every channel; 0 = no limit. */
  ratePerSecond?: number;
  /** Pause when nothing is due. */
  idleMs?: number;
  wait?: Wait;
  /** Names this process in its batch keys. */
  owner?: string;
}

export interface Dispatcher {
  /** Adds a channel; its pending deliveries start moving. One line per channel. */
  register(sender: ChannelSender): void;
  /** One round for every channel: claim a batch, send it, record the results. */
  step(): Promise<StepResult>;
  /** Steps until a round claims nothing (tests and the bench); returns the sum. */
  drain(maxRounds?: number): Promise<StepResult>;
  /**
   * Steps one channel until it claims nothing (a job engine's dispatch job); throws when a
   * step fails, so the job is retried.
   */
  drainChannel(channel: string): Promise<StepResult>;
  /** The channels that have a sender. */
  channels(): string[];
  /** Runs one worker per channel until `stop()`. */
  start(): void;
  /** Ends the workers after their current batch. */
  stop(): Promise<void>;
  /** Ends an idle pause early: a broadcast was just created. */
  wake(): void;
}

/**
 * Drains the outbox: one worker per channel claims a batch (`claiming.ts`), sends it
 * (`sending.ts`) and records the results (`settling.ts`), each claim and each record one
 * transaction. A batch whose lease ran out (its process died) is sent again whole, with
 * the same idempotency key, so a channel that drops duplicates (WeChat's `clientmsgid`,
 * the simulated inbox) sees each delivery once.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const {
    deliveries: dispatchStore,
    store,
    log,
    defaultTimeZone,
    now = () => new Date(),
    batchSize = 500,
    leaseMs = 60_000,
    maxAttempts = 5,
    retryBaseMs = 30_000,
    retryMaxMs = 3_600_000,
    blockAfterFailures = 3,
    ratePerSecond = 0,
    idleMs = 1000,
    wait = realWait,
    owner = randomUUID().slice(0, 8),
  } = options;
  const senders = new Map<string, ChannelSender>();
  const rate = createRateLimiter(ratePerSecond, { wait });
  let running = false;
  const workers: Promise<void>[] = [];
  const sleepers = new Set<() => void>();

  const claim = createClaimer({
    store: dispatchStore,
    replies: store,
    log,
    defaultTimeZone,
    batchSize,
    leaseMs,
    ratePerSecond,
    owner,
  });
  const settle = createSettler({
    store: dispatchStore,
    retry: { maxAttempts, retryBaseMs, retryMaxMs },
    blockAfterFailures,
  });

  const pauses = createChannelPauses({ maxAttempts, retryBaseMs, retryMaxMs });

  /**
   * One step at a time per channel: the worker and `drain()` (after a schedule tick on a
   * travelling clock) take turns. Otherwise a drain could find the worker's batch claimed
   * and in flight, return, and let the clock jump past its lease, so that the batch was
   * taken over and sent twice.
   */
  const lastStep = new Map<string, Promise<unknown>>();
  function stepChannel(sender: ChannelSender): Promise<StepResult> {
    const previous = lastStep.get(sender.channel) ?? Promise.resolve();
    const step = previous.then(() => stepChannelNow(sender));
    lastStep.set(
      sender.channel,
      step.catch(() => undefined),
    );
    return step;
  }

  async function stepChannelNow(sender: ChannelSender): Promise<StepResult> {
    if (pauses.until(sender.channel, now().getTime()) !== undefined) return EMPTY_STEP;
    const { batches, result } = await claim(sender, now());
    let total = result;
    for (const [i, batch] of batches.entries()) {
      const results = await sendBatch(sender, batch, { rate, log });
      const pausedUntil = accountRefusal(sender, results);
      total = addSteps(total, await settle(sender, batch, results, now(), pausedUntil));
      if (pausedUntil !== undefined) {
        // The rest of this claim goes back to the queue too: the account cannot send them.
        const refused = results.find((r) => r.status === 'paused')!;
        for (const rest of batches.slice(i + 1)) {
          const back = rest.rows.map(() => refused);
          total = addSteps(total, await settle(sender, rest, back, now(), pausedUntil));
        }
        break;
      }
      if (sender.pace)
        await wait(sender.pace.intervalMs + Math.random() * (sender.pace.jitterMs ?? 0));
    }
    return total;
  }

  /** Pauses the channel when the platform refused its account; returns until when. */
  function accountRefusal(sender: ChannelSender, results: SendResult[]): number | undefined {
    const refused = results.find((r) => r.status === 'paused');
    if (!refused) {
      if (results.some((r) => r.status === 'sent')) pauses.resume(sender.channel);
      return undefined;
    }
    const until = pauses.pause(sender.channel, now().getTime(), refused.retryAfterMs);
    log.error(
      {
        channel: sender.channel,
        errcode: refused.errcode,
        error: refused.error,
        pausedUntil: new Date(until).toISOString(),
      },
      'the platform refused the account; the channel is paused and no recipient is counted against',
    );
    return until;
  }

  const sweep = () => skipUnserved(dispatchStore, new Set(senders.keys()), now(), log);

  function idle(): Promise<void> {
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        sleepers.delete(finish);
        done();
      };
      const timer = setTimeout(finish, idleMs);
      sleepers.add(finish);
    });
  }

  /** Ends stranded deliveries now and then; see `stranded.ts`. */
  async function sweeper(): Promise<void> {
    while (running) {
      try {
        await sweep();
      } catch (error) {
        log.error(
          { err: describe(error) },
          'skipping deliveries no sender serves failed; will try again',
        );
      }
      if (running) await idle();
    }
  }

  async function work(sender: ChannelSender): Promise<void> {
    while (running) {
      let result = EMPTY_STEP;
      try {
        result = await stepChannel(sender);
      } catch (error) {
        log.error(
          { err: describe(error), channel: sender.channel },
          'dispatching a batch failed; will try again',
        );
      }
      if (result.claimed === 0 && running) await idle();
    }
  }

  const dispatcher: Dispatcher = {
    register(sender) {
      if (senders.has(sender.channel))
        throw new Error(`channel "${sender.channel}" already has a sender`);
      senders.set(sender.channel, sender);
      if (running) workers.push(work(sender));
    },
    async step() {
      let total: StepResult = { ...EMPTY_STEP, skipped: await sweep() };
      for (const sender of senders.values()) total = addSteps(total, await stepChannel(sender));
      return total;
    },
    async drain(maxRounds = 1_000_000) {
      let total = EMPTY_STEP;
      for (let round = 0; round < maxRounds; round++) {
        const result = await dispatcher.step();
        total = addSteps(total, result);
        if (result.claimed === 0 && result.skipped === 0) break;
      }
      return total;
    },
    async drainChannel(channel) {
      const sender = senders.get(channel);
      let total = EMPTY_STEP;
      if (!sender) return total;
      for (;;) {
        const result = await stepChannel(sender);
        total = addSteps(total, result);
        if (result.claimed === 0) return total;
      }
    },
    channels: () => [...senders.keys()],
    start() {
      if (running) return;
      running = true;
      workers.push(sweeper());
      for (const sender of senders.values()) workers.push(work(sender));
    },
    async stop() {
      running = false;
      dispatcher.wake();
      await Promise.all(workers.splice(0));
    },
    wake() {
      for (const finish of [...sleepers]) finish();
    },
  };
  return dispatcher;
}
