import { isUnavailable } from '../postgres/availability.ts';
import { describe } from '../postgres/database.ts';
import type { Logger } from './logger.ts';

/**
 * The last word on a promise nobody awaited. The account awaits its own work; a library's
 * unawaited database write that failed because the database went away (graphile-worker 0.17
 * records a job's outcome that way) is an outage already reported by /healthz, and the job
 * heartbeat unlocks the job it left behind: a warning in words, without a stack. Anything
 * else is a defect, logged whole.
 */
export function logUnhandledRejection(log: Logger, reason: unknown): void {
  if (isUnavailable(reason)) {
    log.warn(
      { err: describe(reason) },
      'a background database write failed while the database was unavailable; the job it was recording runs again',
    );
    return;
  }
  log.error({ err: reason }, 'unhandled rejection');
}
