import { toSubscriber, type SubscriberRow, type SubscriberStore } from '../store/subscribers.ts';
import type { Pg } from './database.ts';

type Row = SubscriberRow;

// Each change is one statement (an upsert that returns the row): no read-then-write, so two
// instances changing one subscriber at once cannot lose either change's other fields.
const SAVE = `
  INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
  VALUES ($1, $2, COALESCE($3, 'active'), COALESCE($4::jsonb, '[]'), $5, $5)
  ON CONFLICT (channel, user_id) DO UPDATE SET
    state = COALESCE($3, subscribers.state),
    topics = COALESCE($4::jsonb, subscribers.topics),
    updated_at = excluded.updated_at
  RETURNING *`;
// $4, $6: whether the time zone, the quiet hours were given (null then clears them).
const PREFERENCES = `
  INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at,
    time_zone, quiet_start, quiet_end, digest)
  VALUES ($1, $2, 'unsubscribed', '[]', $3, $3, $5, $7, $8, COALESCE($9, 'off'))
  ON CONFLICT (channel, user_id) DO UPDATE SET
    time_zone = CASE WHEN $4::boolean THEN excluded.time_zone ELSE subscribers.time_zone END,
    quiet_start = CASE WHEN $6::boolean THEN excluded.quiet_start ELSE subscribers.quiet_start END,
    quiet_end = CASE WHEN $6::boolean THEN excluded.quiet_end ELSE subscribers.quiet_end END,
    digest = COALESCE($9, subscribers.digest),
    updated_at = excluded.updated_at
  RETURNING *`;
const LIST = `
  SELECT * FROM subscribers
  WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR channel = $2)
    AND ($3::text IS NULL OR topics ? $3)
    AND (channel, user_id) > ($4, $5)
  ORDER BY channel, user_id LIMIT $6`;

/** Subscribers on PostgreSQL; `topics` is a JSONB array (`?` finds a topic in it). */
export function postgresSubscriberStore(pg: Pg): SubscriberStore {
  return {
    async get(channel, userId) {
      const [row] = await pg.query<Row>(
        'SELECT * FROM subscribers WHERE channel = $1 AND user_id = $2',
        [channel, userId],
      );
      return row && toSubscriber(row);
    },
    async save(channel, userId, change, now) {
      const topics = change.topics === undefined ? null : JSON.stringify(change.topics);
      const [row] = await pg.query<Row>(SAVE, [
        channel,
        userId,
        change.state ?? null,
        topics,
        now.getTime(),
      ]);
      return toSubscriber(row!);
    },
    async setPreferences(channel, userId, change, now) {
      const [row] = await pg.query<Row>(PREFERENCES, [
        channel,
        userId,
        now.getTime(),
        change.timeZone !== undefined,
        change.timeZone ?? null,
        change.quiet !== undefined,
        change.quiet?.start ?? null,
        change.quiet?.end ?? null,
        change.digest ?? null,
      ]);
      return toSubscriber(row!);
    },
    async list({ state, channel, topic, limit = 100, after } = {}) {
      const rows = await pg.query<Row>(LIST, [
        state ?? null,
        channel ?? null,
        topic ?? null,
        after?.channel ?? '',
        after?.userId ?? '',
        limit,
      ]);
      return rows.map(toSubscriber);
    },
  };
}
