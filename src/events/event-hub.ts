import type { Broadcast } from '../broadcast/broadcast-types.ts';

/** What the account tells open pages as it happens. */
export type AccountEvent = { type: 'broadcast'; broadcast: Broadcast };

export type EventListener = (event: AccountEvent) => void;

/**
 * The account's live events: the dispatcher publishes, the console's stream subscribes.
 * Kept this small so that another implementation (one that also relays events between
 * instances sharing a database, issue 12) can take this one's place.
 */
export interface EventHub {
  publish(event: AccountEvent): void;
  /** `listener` gets every event from now on; `onClose` when the hub shuts down. Returns the way out. */
  subscribe(listener: EventListener, onClose?: () => void): () => void;
  /**
   * Ends every subscription (at shutdown, so open streams do not hold the server up; or to
   * make every page reconnect). Later subscriptions are served as before.
   */
  close(): void;
}

/** The in-process hub: one process, every subscriber called in turn. */
export function createEventHub(): EventHub {
  const subscribers = new Map<EventListener, (() => void) | undefined>();
  return {
    publish(event) {
      for (const listener of [...subscribers.keys()]) {
        try {
          listener(event);
        } catch {
          // One broken listener (a stream that went away) never stops the others.
          subscribers.delete(listener);
        }
      }
    },
    subscribe(listener, onClose) {
      subscribers.set(listener, onClose);
      return () => void subscribers.delete(listener);
    },
    close() {
      const closing = [...subscribers.values()];
      subscribers.clear();
      for (const onClose of closing) onClose?.();
    },
  };
}
