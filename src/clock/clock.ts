/**
 * The time both sides of a simulation read. Without travel it runs with real time; moving
 * it forward (never back) shifts every later reading by the same offset, and each
 * listener is awaited in turn with the window that was skipped, so that work due inside
 * the window (schedule ticks, deliveries, expiries) can run at its own simulated time.
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

export interface VirtualClock extends Clock {
  /** Moves the clock forward by `ms` (> 0); resolves once every listener has run. */
  advance(ms: number): Promise<TravelWindow>;
  /** Moves the clock to `instant`, which must not be in its past. */
  travelTo(instant: Date): Promise<TravelWindow>;
  /** Called in order of registration for every move; returns a function that unregisters. */
  onTravel(listener: (window: TravelWindow) => Promise<void> | void): () => void;
}

/** The real clock, for production and wherever no travel is wanted. */
export const systemClock: Clock = { now: () => new Date() };
