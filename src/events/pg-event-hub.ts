import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import { describe, type Pg } from '../postgres/database.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import { decodeEvent, encodeEvent } from './event-payload.ts';
import { listen, type PgListenerOptions } from './pg-listener.ts';

/** The NOTIFY channel of an account's events (one database holds one account). */
export const EVENTS_CHANNEL = 'oasim_events';

export interface PgEventHubOptions extends PgListenerOptions {
  /** NOTIFY channels are per database, not per schema: tests name one per schema. */
  channel?: string;
  log?: Logger;
}

export interface PgEventHub extends EventHub {
  /** Resolves once the listener is connected and listening (again, after a drop). */
  listening(): Promise<void>;
  /** `close`, and waits for the listener's connection to end. */
  stop(): Promise<void>;
}

/**
 * The account's live events across every instance on one database, over LISTEN/NOTIFY.
 * `publish` hands the event to this instance's subscribers at once and NOTIFYs the others
 * (the payload is the event itself, see `encodeEvent`); each hub keeps one connection of its
 * own LISTENing (outside the pool, so the pool's connections stay free) and hands what other
 * hubs sent to its subscribers. Its own notifications come back too and are skipped, so each
 * subscriber sees each event once. A lost database is logged, never thrown (`listen`); once
 * the listener is back, the subscriptions open before it are ended (their pages reconnect
 * and catch up).
 */
export function createPgEventHub(db: Pg, options: PgEventHubOptions = {}): PgEventHub {
  const { channel = EVENTS_CHANNEL, log } = options;
  const local = createEventHub();
  const origin = randomUUID();
  // One NOTIFY at a time, so that other instances get the events in the order published.
  let sending: Promise<void> = Promise.resolve();

  const listener = listen(
    db.pool.options,
    channel,
    (payload) => {
      const envelope = decodeEvent(payload);
      if (!envelope) log?.warn({ channel }, 'event notification not understood; skipped');
      else if (envelope.origin !== origin) local.publish(envelope.event);
    },
    {
      ...options,
      // Other instances' events sent while the listener was away are lost: every open
      // stream is ended, so its page connects again and reads its state afresh.
      onReconnected: () => local.close(),
    },
  );
  const stop = async () => {
    local.close();
    await sending;
    await listener.stop();
  };

  return {
    publish(event) {
      local.publish(event);
      const payload = encodeEvent(origin, event);
      // On the pool itself, never in a transaction the publisher may be in.
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
    listening: () => listener.listening(),
  };
}
