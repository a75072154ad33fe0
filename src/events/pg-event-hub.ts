import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { describe, quoteIdent, type Pg } from '../postgres/database.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import { decodeEvent, encodeEvent } from './event-payload.ts';

/** The NOTIFY channel of an account's events (one database holds one account). */
export const EVENTS_CHANNEL = 'oasim_events';

export interface PgEventHubOptions {
  /** NOTIFY channels are per database, not per schema: tests name one per schema. */
  channel?: string;
  log?: Logger;
  /** First wait before reconnecting a dropped listener; doubled each failure, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface PgEventHub extends EventHub {
  /** Resolves once the listener is connected and listening (again, after a drop). */
  listening(): Promise<void>;
  /** `close`, and waits for the listener's connection to end. */
  stop(): Promise<void>;
}

/**
 * The account's live events across every instance on one database, over LISTEN/NOTIFY.
 * `publish` hands the event to this instance's subscribers at once and NOTIFYs the others;
 * each hub keeps one connection of its own LISTENing (outside the pool, so the pool's
 * connections stay free), and hands what other hubs sent to its subscribers. Its own
 * notifications come back too and are skipped, so each subscriber sees each event once.
 *
 * A dropped listener (the database restarted, the backend was terminated) is reconnected
 * with growing waits and logged, never thrown. Events NOTIFYed while it was away are not
 * replayed: the pages show progress, and the next event brings the state up to date.
 */
export function createPgEventHub(db: Pg, options: PgEventHubOptions = {}): PgEventHub {
  const { channel = EVENTS_CHANNEL, log, backoffMs = 100, maxBackoffMs = 5_000 } = options;
  const local = createEventHub();
  const origin = randomUUID();
  let client: pg.Client | undefined;
  let stopped = false;
  let reconnect: NodeJS.Timeout | undefined;
  let up: { promise: Promise<void>; resolve: () => void } = deferred();
  // One NOTIFY at a time, so that other instances get the events in the order published.
  let sending: Promise<void> = Promise.resolve();

  const receive = (message: pg.Notification) => {
    const envelope = message.payload === undefined ? undefined : decodeEvent(message.payload);
    if (!envelope) {
      log?.warn({ channel }, 'event notification not understood; skipped');
      return;
    }
    if (envelope.origin !== origin) local.publish(envelope.event);
  };

  const connect = async (attempt: number): Promise<void> => {
    reconnect = undefined;
    if (stopped) return;
    const next = new pg.Client(db.pool.options);
    let lost = false;
    const drop = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (client === next) client = undefined;
      void next.end().catch(() => undefined);
      if (stopped) return;
      up = deferred();
      log?.warn({ err: describe(err ?? new Error('connection ended')) }, 'event listener lost');
      schedule(0);
    };
    next.on('error', drop);
    next.on('end', () => drop());
    next.on('notification', receive);
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
      schedule(attempt);
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    if (attempt > 0) log?.info({ channel }, 'event listener reconnected');
    up.resolve();
  };
  const delay = (attempt: number) => Math.min(backoffMs * 2 ** attempt, maxBackoffMs);
  /** Waits `delay(attempt)`, then tries once more. */
  const schedule = (attempt: number) => {
    reconnect = setTimeout(() => void connect(attempt + 1), delay(attempt));
    reconnect.unref();
  };

  void connect(0);

  const stop = async () => {
    stopped = true;
    local.close();
    clearTimeout(reconnect);
    await sending;
    await client?.end().catch(() => undefined);
    client = undefined;
  };

  return {
    publish(event) {
      local.publish(event);
      const payload = encodeEvent(origin, event);
      sending = sending
        .then(() => db.pool.query('SELECT pg_notify($1, $2)', [channel, payload]))
        .then(
          () => undefined,
          (err: unknown) => log?.error({ err: describe(err) }, 'event not sent to other instances'),
        );
    },
    subscribe: (listener, onClose) => local.subscribe(listener, onClose),
    close: () => void stop(),
    stop,
    listening: () => up.promise,
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
