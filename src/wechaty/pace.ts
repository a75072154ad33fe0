import { setTimeout as delay } from 'node:timers/promises';

/** Time as the pacer sees it; tests give a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => delay(ms) };

/**
 * Runs tasks one at a time with at least `intervalMs` plus a random part of `jitterMs` between
 * the end of one and the start of the next: a personal account that sends like a machine gets
 * banned. A caller that already waited (a dispatcher honouring the sender's `pace`) finds the
 * gap over and does not wait twice.
 */
export function createPacer({
  intervalMs,
  jitterMs = 0,
  clock = systemClock,
  random = Math.random,
}: {
  intervalMs: number;
  jitterMs?: number;
  clock?: Clock;
  random?: () => number;
}): <T>(task: () => Promise<T>) => Promise<T> {
  let nextAt = Number.NEGATIVE_INFINITY;
  let queue: Promise<unknown> = Promise.resolve();

  return function paced<T>(task: () => Promise<T>): Promise<T> {
    const run = async () => {
      const wait = nextAt - clock.now();
      if (wait > 0) await clock.sleep(wait);
      try {
        return await task();
      } finally {
        nextAt = clock.now() + intervalMs + Math.floor(random() * jitterMs);
      }
    };
    const result = queue.then(run, run);
    // The queue only orders tasks; each caller gets its own task's outcome.
    queue = result.catch(() => undefined);
    return result;
  };
}
