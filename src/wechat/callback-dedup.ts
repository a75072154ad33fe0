import { postgresCallbackDedup } from '../postgres/callback-dedup.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import type { Storage } from '../store/storage.ts';
import { createWriteBehind, type WriteBehind } from '../store/write-behind.ts';

/** How an earlier try of the same callback was answered. */
export type SeenCallback =
  /** `reply` is the plaintext XML it got, or undefined for `success`. */
  | { state: 'replied'; reply: string | undefined }
  /** It missed the deadline: `success`, and the reply went out as a customer-service message. */
  | { state: 'deferred' };

/**
 * The callbacks already answered, in the database so that a restart or a second instance
 * answers a retry as the first try was answered, without running the engine again.
 * `record` resolves once a retry at any instance would find the record.
 */
export interface CallbackDedup {
  seen(key: string): Promise<SeenCallback | undefined>;
  record(key: string, seen: SeenCallback, now: Date): Promise<void>;
}

export interface CallbackDedupOptions {
  /** How long answers are kept; the platform's retries end within about 15 s. */
  keepMs?: number;
  /** SQLite: the queue the records trail their answers through. */
  writes?: WriteBehind;
}

/** The retry records of the account's database, whichever kind it is. */
export function createCallbackDedup(
  storage: Storage,
  options: CallbackDedupOptions = {},
): CallbackDedup {
  return storage.kind === 'sqlite'
    ? sqliteCallbackDedup(storage.gate, options)
    : postgresCallbackDedup(storage.pg, options);
}

export const KEEP_MS = 24 * 3600_000;
export const PRUNE_EVERY_MS = 60_000;

// DO NOTHING: should two instances ever answer the same callback, the first record stands.
const INSERT =
  'INSERT INTO wechat_callbacks (key, received_at, state, reply) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING';
const PRUNE = 'DELETE FROM wechat_callbacks WHERE received_at < ?';

interface Row {
  state: 'replied' | 'deferred';
  reply: string | null;
}

/**
 * On SQLite a record is written through the write-behind queue: it reaches the database
 * within a few milliseconds of the answer, and until then this process finds it in
 * memory. The platform retries only when it had no answer for 5 s, so a retry, in this
 * instance or another on the same file, finds the record of its first try. A crash in
 * those milliseconds can lose a record only of an answer the platform most likely never
 * received, and then its retry is answered afresh, which is what it needs.
 */
export function sqliteCallbackDedup(
  { db, run }: SqliteGate,
  { keepMs = KEEP_MS, writes = createWriteBehind(db) }: CallbackDedupOptions = {},
): CallbackDedup {
  const getStmt = db.prepare<[string], Row>(
    'SELECT state, reply FROM wechat_callbacks WHERE key = ?',
  );
  let prunedAt = 0;
  /** Records queued and not yet written. */
  const pending = new Map<string, SeenCallback>();

  return {
    async seen(key) {
      const queued = pending.get(key);
      if (queued) return queued;
      const row = await run(() => getStmt.get(key));
      return row && toSeen(row);
    },
    async record(key, seen, now) {
      pending.set(key, seen);
      const at = now.getTime();
      const reply = seen.state === 'replied' ? (seen.reply ?? null) : null;
      writes.defer(INSERT, [key, at, seen.state, reply], () => pending.delete(key));
      if (at - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = at;
        writes.defer(PRUNE, [at - keepMs]);
      }
    },
  };
}

export function toSeen(row: { state: 'replied' | 'deferred'; reply: string | null }): SeenCallback {
  return row.state === 'replied'
    ? { state: 'replied', reply: row.reply ?? undefined }
    : { state: 'deferred' };
}
