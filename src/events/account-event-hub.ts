import type { Logger } from '../log/logger.ts';
import type { Storage } from '../store/storage.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import { createPgEventHub } from './pg-event-hub.ts';

/**
 * The account's event hub where its state lives: in-process for the embedded SQLite file
 * (one process is the whole account), across instances over LISTEN/NOTIFY on PostgreSQL.
 */
export function createAccountEventHub(storage: Storage, log?: Logger): EventHub {
  return storage.kind === 'postgres' ? createPgEventHub(storage.pg, { log }) : createEventHub();
}
