import type { ClockTimer, TravelWindow, VirtualClock } from './clock.ts';

/** Asked to move the clock back: time in a simulation only goes forward. */
export class ClockBackwardsError extends Error {
  constructor(
    readonly now: Date,
    readonly asked: Date,
  ) {
    super(`the clock never goes back: it is ${now.toISOString()}, not ${asked.toISOString()}`);
    this.name = 'ClockBackwardsError';
  }
}

/** setTimeout's longest delay; a timer further away is re-armed when this one fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Timer {
  at: number;
  seq: number;
  task: () => Promise<void> | void;
  live: boolean;
}

export interface VirtualClockOptions {
  /** Where the clock starts; real time when absent. */
  start?: Date;
  /** Real milliseconds since the epoch; a test's fake time. */
  realNow?: () => number;
  /** A timer's task threw: it is reported here, and the travel goes on. */
  onError?: (error: unknown) => void;
}

/**
 * The shared virtual clock: an offset over real time. Travel is serialised (a second
 * `advance` waits for the first), runs the timers due inside the window in time order with
 * `now()` pinned to each timer's instant, then awaits the travel listeners in order.
 */
export function createVirtualClock(
  options: VirtualClockOptions = {},
): VirtualClock & { close(): void } {
  const realNow = options.realNow ?? Date.now;
  const onError = options.onError ?? (() => {});
  let offset = options.start ? options.start.getTime() - realNow() : 0;
  /** While a travel runs a timer, the instant `now()` reads. */
  let pinned: number | undefined;
  let travelling = false;
  let seq = 0;
  let timers: Timer[] = [];
  let armed: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  const listeners: ((window: TravelWindow) => Promise<void> | void)[] = [];

  const nowMs = () => pinned ?? realNow() + offset;
  const next = () => {
    timers = timers.filter((t) => t.live);
    return timers.reduce<Timer | undefined>(
      (first, t) =>
        !first || t.at < first.at || (t.at === first.at && t.seq < first.seq) ? t : first,
      undefined,
    );
  };

  async function run(timer: Timer): Promise<void> {
    timer.live = false;
    try {
      await timer.task();
    } catch (error) {
      onError(error);
    }
  }

  /** One real timer for the earliest virtual one, never while a travel runs the timers. */
  function arm(): void {
    if (armed) clearTimeout(armed);
    armed = undefined;
    const first = next();
    if (closed || travelling || !first) return;
    armed = setTimeout(fire, Math.min(Math.max(first.at - nowMs(), 0), MAX_DELAY_MS));
    armed.unref?.();
  }

  function fire(): void {
    armed = undefined;
    queue = queue.then(async () => {
      for (let due = next(); due && due.at <= nowMs(); due = next()) await run(due);
      arm();
    });
  }

  async function move(target: number): Promise<TravelWindow> {
    const from = new Date(nowMs());
    if (target < from.getTime()) throw new ClockBackwardsError(from, new Date(target));
    travelling = true;
    arm();
    try {
      for (let due = next(); due && due.at <= target; due = next()) {
        pinned = Math.max(due.at, pinned ?? from.getTime());
        await run(due);
      }
      offset = target - realNow();
    } finally {
      pinned = undefined;
      travelling = false;
    }
    const window = { from, to: new Date(target) };
    for (const listener of [...listeners]) {
      try {
        await listener(window);
      } catch (error) {
        onError(error);
      }
    }
    arm();
    return window;
  }

  function travel(target: () => number): Promise<TravelWindow> {
    const done = queue.then(() => move(target()));
    queue = done.catch(() => {});
    return done;
  }

  return {
    now: () => new Date(nowMs()),
    advance(ms) {
      if (!Number.isFinite(ms) || ms <= 0)
        return Promise.reject(new RangeError('the clock advances by a positive number of ms'));
      return travel(() => nowMs() + ms);
    },
    travelTo: (instant) => travel(() => instant.getTime()),
    at(instant, task): ClockTimer {
      const timer: Timer = {
        at: Math.max(instant.getTime(), nowMs()),
        seq: seq++,
        task,
        live: true,
      };
      timers.push(timer);
      arm();
      return {
        cancel() {
          timer.live = false;
        },
      };
    },
    onTravel(listener) {
      listeners.push(listener);
      return () => {
        const at = listeners.indexOf(listener);
        if (at !== -1) listeners.splice(at, 1);
      };
    },
    close() {
      closed = true;
      arm();
    },
  };
}
