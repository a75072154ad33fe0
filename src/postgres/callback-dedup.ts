import {
  KEEP_MS,
  PRUNE_EVERY_MS,
  toSeen,
  type CallbackDedup,
  type CallbackDedupOptions,
} from '../wechat/callback-dedup.ts';
import type { Pg } from './database.ts';

// DO NOTHING: should two instances ever answer the same callback, the first record stands.
const INSERT = `
  INSERT INTO wechat_callbacks (key, received_at, state, reply) VALUES ($1, $2, $3, $4)
  ON CONFLICT (key) DO NOTHING`;

/**
 * The retry records on PostgreSQL, written before the answer leaves: a retry arriving at
 * any instance, however soon, finds its first try's answer under the unique key.
 */
export function postgresCallbackDedup(
  pg: Pg,
  { keepMs = KEEP_MS }: CallbackDedupOptions = {},
): CallbackDedup {
  let prunedAt = 0;
  return {
    async seen(key) {
      const [row] = await pg.query<{ state: 'replied' | 'deferred'; reply: string | null }>(
        'SELECT state, reply FROM wechat_callbacks WHERE key = $1',
        [key],
      );
      return row && toSeen(row);
    },
    async record(key, seen, now) {
      const at = now.getTime();
      const reply = seen.state === 'replied' ? (seen.reply ?? null) : null;
      await pg.query(INSERT, [key, at, seen.state, reply]);
      if (at - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = at;
        await pg.query('DELETE FROM wechat_callbacks WHERE received_at < $1', [at - keepMs]);
      }
    },
  };
}
