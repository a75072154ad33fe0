import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { describe, quoteIdent } from '../postgres/database.ts';

export interface PgListener {
  /** Resolves once the connection is up and listening (again, after a drop). */
  listening(): Promise<void>;
  /** Ends the connection and stops reconnecting. */
  stop(): Promise<void>;
}

export interface PgListenerOptions {
  log?: Logger;
  /** First wait before reconnecting; doubled each failure, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Called each time it listens again after a drop: what was sent meanwhile is lost. */
  onReconnected?: () => void;
}

/**
 * A connection of its own that LISTENs on `channel` and hands each notification's payload to
 * `receive`. When it drops (the database restarted, the backend was terminated) it is opened
 * again after a wait that doubles with each failure; each drop and failure is logged, none
 * is thrown. Notifications sent while it was away are lost (PostgreSQL keeps none for a
 * listener that is not there).
 */
export function listen(
  config: pg.ClientConfig,
  channel: string,
  receive: (payload: string) => void,
  { log, backoffMs = 100, maxBackoffMs = 5_000, onReconnected }: PgListenerOptions = {},
): PgListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let up = deferred();
  const delay = (attempt: number) => Math.min(backoffMs * 2 ** attempt, maxBackoffMs);
  /** Waits `delay(attempt)`, then tries once more. */
  const retry = (attempt: number) => {
    timer = setTimeout(() => void connect(attempt + 1), delay(attempt));
    timer.unref();
  };

  const connect = async (attempt: number): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client(config);
    let lost = false;
    const drop = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (client === next) client = undefined;
      void next.end().catch(() => undefined);
      if (stopped) return;
      up = deferred();
      log?.warn(
        { err: describe(err ?? new Error('connection ended')), channel },
        'event listener lost',
      );
      retry(0);
    };
    next.on('error', drop);
    next.on('end', () => drop());
    next.on('notification', (message) => receive(message.payload ?? ''));
    try {
      await next.connect();
      await next.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      lost = true;
      void next.end().catch(() => undefined);
      if (stopped) return;
      log?.warn(
        { err: describe(err), retryInMs: delay(attempt) },
        'event listener could not connect',
      );
      retry(attempt);
      return;
    }
    if (stopped) return void (await next.end().catch(() => undefined));
    client = next;
    up.resolve();
    if (attempt > 0) {
      log?.info({ channel }, 'event listener reconnected');
      onReconnected?.();
    }
  };
  void connect(0);

  return {
    listening: () => up.promise,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
