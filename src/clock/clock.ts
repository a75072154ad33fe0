/**
 * The time both sides of a simulation read. Without travel it runs with real time; moving
 * it forward (never back) shifts every later reading by the same offset.
 *
 * Work due at a moment of virtual time is registered with `at()`. With real time passing
 * it runs when its moment comes (a real timer); when the clock travels, every timer due
 * inside the window runs in time order, with `now()` reading the timer's own instant
 * while it runs (and while the promise it returns settles), so that schedule ticks,
 * deliveries and expiries inside a jump of 36 hours happen each at its own simulated time.
 *
 * It is shared in one process by the account and the simulated platform, and belongs to
 * neither: the simulator still talks to the account only over HTTP.
 */
export interface Clock {
  now(): Date;
}

export interface TravelWindow {
  from: Date;
  to: Date;
}

/** A registered timer; `cancel()` is idempotent. */
export interface ClockTimer {
  cancel(): void;
}

export interface VirtualClock extends Clock {
  /** Moves the clock forward by `ms` (> 0); resolves once every timer due inside has run. */
  advance(ms: number): Promise<TravelWindow>;
  /** Moves the clock to `instant`, which must not be in its past; same as `advance`. */
  travelTo(instant: Date): Promise<TravelWindow>;
  /**
   * Runs `task` at virtual `instant` (at once, on the next turn, if it is not in the
   * future). Timers due at the same instant run in order of registration. A task that
   * throws is logged by the clock's owner and does not stop the travel.
   */
  at(instant: Date, task: () => Promise<void> | void): ClockTimer;
  /** Called after every move, in order of registration; returns a function that unregisters. */
  onTravel(listener: (window: TravelWindow) => Promise<void> | void): () => void;
}

/** The real clock, for production and wherever no travel is wanted. */
export const systemClock: Clock = { now: () => new Date() };
