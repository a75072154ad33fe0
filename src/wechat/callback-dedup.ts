import type { Db } from '../store/database.ts';

/** What an earlier try of the same callback left behind. */
export type SeenCallback =
  /** The first try is still being answered (or its process died: see `staleAfterMs`). */
  | { state: 'pending' }
  /** Answered: `reply` is the plaintext XML it got, or undefined for `success`. */
  | { state: 'replied'; reply: string | undefined }
  /** Missed the deadline: answered `success`, the reply goes out as a customer-service message. */
  | { state: 'deferred' };

/**
 * The callbacks already seen, in the database so that a restart or a second instance
 * does not answer a retry twice. `claim` is the only gate: it succeeds for exactly one
 * caller per key.
 */
export interface CallbackDedup {
  /** True when this caller owns the callback; otherwise what the earlier try left. */
  claim(key: string, now: Date): { claimed: true } | { claimed: false; seen: SeenCallback };
  replied(key: string, reply: string | undefined): void;
  deferred(key: string): void;
  /** Forgets a claim whose processing failed, so the platform's retry can try again. */
  release(key: string): void;
}

interface Row {
  state: 'pending' | 'replied' | 'deferred';
  reply: string | null;
}

/**
 * `staleAfterMs`: a claim still pending after this long belongs to a process that died
 * mid-answer (a live one settles it within the reply budget), so a retry may take it.
 * `keepMs`: how long keys are kept; the platform's retries end within about 15 s.
 */
export function createCallbackDedup(
  db: Db,
  { staleAfterMs, keepMs = 24 * 3600_000 }: { staleAfterMs: number; keepMs?: number },
): CallbackDedup {
  const claimStmt = db.prepare<{ key: string; now: number; stale: number }>(`
    INSERT INTO wechat_callbacks (key, received_at, state) VALUES (@key, @now, 'pending')
    ON CONFLICT (key) DO UPDATE SET received_at = excluded.received_at
    WHERE state = 'pending' AND received_at < @stale`);
  const getStmt = db.prepare<[string], Row>(
    'SELECT state, reply FROM wechat_callbacks WHERE key = ?',
  );
  const setStmt = db.prepare<[string, string | null, string]>(
    'UPDATE wechat_callbacks SET state = ?, reply = ? WHERE key = ?',
  );
  const deleteStmt = db.prepare<[string]>('DELETE FROM wechat_callbacks WHERE key = ?');
  const pruneStmt = db.prepare<[number]>('DELETE FROM wechat_callbacks WHERE received_at < ?');
  let prunedAt = 0;

  return {
    claim(key, now) {
      const at = now.getTime();
      if (at - prunedAt > 60_000) {
        prunedAt = at;
        pruneStmt.run(at - keepMs);
      }
      if (claimStmt.run({ key, now: at, stale: at - staleAfterMs }).changes === 1)
        return { claimed: true };
      const row = getStmt.get(key);
      // Gone between the two statements (a failed first try released it): let the next retry in.
      if (!row) return { claimed: false, seen: { state: 'pending' } };
      if (row.state === 'replied')
        return { claimed: false, seen: { state: 'replied', reply: row.reply ?? undefined } };
      return { claimed: false, seen: { state: row.state } };
    },
    replied(key, reply) {
      setStmt.run('replied', reply ?? null, key);
    },
    deferred(key) {
      setStmt.run('deferred', null, key);
    },
    release(key) {
      deleteStmt.run(key);
    },
  };
}
