import type { Pg } from './database.ts';

/** Connection errors of the socket and of the pool that mean "no database now", by code. */
const UNAVAILABLE_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
];

/**
 * A lost or restarting database: refused or dropped connections, a server shutting down or
 * starting, a pool that could not connect in time. Retrying later will work.
 */
export function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.includes(code)) return true;
    // Class 08: connection exception.
    if (code.startsWith('08') && code.length === 5) return true;
  }
  return (
    typeof message === 'string' &&
    /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(
      message,
    )
  );
}

/**
 * Waits until the database answers a trivial query again, trying every `everyMs`, for at
 * most `maxMs` or until `signal` aborts; resolves true if it answered.
 */
export async function untilAvailable(
  pg: Pg,
  {
    maxMs = 30_000,
    everyMs = 250,
    signal,
  }: { maxMs?: number; everyMs?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    try {
      await pg.query('SELECT 1');
      return true;
    } catch {
      if (signal?.aborted || Date.now() + everyMs > deadline) return false;
      await new Promise((done) => setTimeout(done, everyMs));
    }
  }
}
