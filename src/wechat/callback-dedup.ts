import type { Db } from '../store/database.ts';

/** How an earlier try of the same callback was answered. */
export type SeenCallback =
  /** `reply` is the plaintext XML it got, or undefined for `success`. */
  | { state: 'replied'; reply: string | undefined }
  /** It missed the deadline: `success`, and the reply went out as a customer-service message. */
  | { state: 'deferred' };

/**
 * The callbacks already answered, in the database so that a restart or a second instance
 * answers a retry as the first try was answered, without running the engine again.
 *
 * An answer is recorded before it is sent, and the platform retries only when it had no
 * answer for 5 s, while the reply budget is under 5 s: so a retry always finds the record
 * of its first try. Records are group-committed (all answers of one event-loop turn in
 * one transaction): a commit is the dearest step of a callback, and `record` resolves
 * only once the row is on disk, so nothing is answered that is not recorded.
 */
export interface CallbackDedup {
  seen(key: string): SeenCallback | undefined;
  record(key: string, seen: SeenCallback, now: Date): Promise<void>;
}

interface Row {
  state: 'replied' | 'deferred';
  reply: string | null;
}

/** `keepMs`: how long answers are kept; the platform's retries end within about 15 s. */
export function createCallbackDedup(
  db: Db,
  { keepMs = 24 * 3600_000 }: { keepMs?: number } = {},
): CallbackDedup {
  const getStmt = db.prepare<[string], Row>(
    'SELECT state, reply FROM wechat_callbacks WHERE key = ?',
  );
  // DO NOTHING: should two instances ever answer the same callback, the first record stands.
  const insertStmt = db.prepare<[string, number, string, string | null]>(
    'INSERT INTO wechat_callbacks (key, received_at, state, reply) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
  );
  const pruneStmt = db.prepare<[number]>('DELETE FROM wechat_callbacks WHERE received_at < ?');
  let prunedAt = 0;

  type Pending = {
    key: string;
    seen: SeenCallback;
    at: number;
    done: () => void;
    fail: (e: unknown) => void;
  };
  let batch: Pending[] = [];
  const commit = db.transaction((rows: Pending[]) => {
    for (const { key, seen, at } of rows)
      insertStmt.run(key, at, seen.state, seen.state === 'replied' ? (seen.reply ?? null) : null);
    const last = rows.at(-1)!.at;
    if (last - prunedAt > 60_000) {
      prunedAt = last;
      pruneStmt.run(last - keepMs);
    }
  });
  const flush = () => {
    const rows = batch;
    batch = [];
    try {
      commit(rows);
      for (const row of rows) row.done();
    } catch (error) {
      for (const row of rows) row.fail(error);
    }
  };

  return {
    seen(key) {
      const row = getStmt.get(key);
      if (!row) return undefined;
      return row.state === 'replied'
        ? { state: 'replied', reply: row.reply ?? undefined }
        : { state: 'deferred' };
    },
    record(key, seen, now) {
      return new Promise((done, fail) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ key, seen, at: now.getTime(), done, fail });
      });
    },
  };
}
