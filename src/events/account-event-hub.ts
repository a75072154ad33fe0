import type { Logger } from '../log/logger.ts';
import { currentSchema } from '../postgres/database.ts';
import type { Storage } from '../store/storage.ts';
import { createEventHub, type EventHub } from './event-hub.ts';
import { createPgEventHub, EVENTS_CHANNEL } from './pg-event-hub.ts';

/**
 * The account's event hub where its state lives: in-process for the embedded SQLite file
 * (one process is the whole account), across instances over LISTEN/NOTIFY on PostgreSQL.
 * NOTIFY channels belong to the database, not the schema: an account kept in a schema other
 * than `public` (a search_path in DATABASE_URL) gets a channel of its own.
 */
export async function createAccountEventHub(storage: Storage, log?: Logger): Promise<EventHub> {
  if (storage.kind !== 'postgres') return createEventHub();
  const schema = await currentSchema(storage.pg);
  const channel = schema === 'public' ? EVENTS_CHANNEL : `${EVENTS_CHANNEL}_${schema}`.slice(0, 63);
  return createPgEventHub(storage.pg, { log, channel });
}
