import type { NewUser, UserChange, UserRow, UserStore } from '../user-store.ts';
import { toUser } from '../user-store.ts';
import type { SimPg } from './sim-pg.ts';

const COLUMNS = `openid, nickname, language, tags, subscribed::int AS subscribed, subscribe_time,
  subscribe_scene, qr_scene, last_message_at, last_event_at, created_at`;

const ms = (d: Date | undefined) => (d ? d.getTime() : null);

/** The users' table on PostgreSQL. */
export function pgUserStore(db: SimPg): UserStore {
  return {
    async insert(users: NewUser[]) {
      if (users.length === 0) return 0;
      const rows = await db.query(
        `INSERT INTO sim_users (openid, nickname, language, tags, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
         ON CONFLICT (openid) DO NOTHING RETURNING 1`,
        [
          users.map((u) => u.openid),
          users.map((u) => u.nickname),
          users.map((u) => u.language),
          users.map((u) => JSON.stringify(u.tags)),
          users.map((u) => +u.createdAt),
        ],
      );
      return rows.length;
    },
    async get(openid) {
      const [row] = await db.query<UserRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM sim_users WHERE openid = $1`,
        [openid],
      );
      return row && toUser(row);
    },
    async page(after, limit) {
      const rows = await db.query<UserRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM sim_users WHERE openid > $1 ORDER BY openid LIMIT $2`,
        [after, limit],
      );
      return rows.map(toUser);
    },
    async followerPage(after, limit) {
      const rows = await db.query<{ openid: string }>(
        'SELECT openid FROM sim_users WHERE subscribed AND openid > $1 ORDER BY openid LIMIT $2',
        [after, limit],
      );
      return rows.map((r) => r.openid);
    },
    async subscribedAmong(openids) {
      const rows = await db.query<{ openid: string }>(
        'SELECT openid FROM sim_users WHERE subscribed AND openid = ANY($1::text[])',
        [openids],
      );
      return new Set(rows.map((r) => r.openid));
    },
    async counts() {
      const [row] = await db.query<{ total: number; followers: number }>(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE subscribed))::int AS followers
         FROM sim_users`,
      );
      return row!;
    },
    async update(openid: string, change: UserChange) {
      await db.query(
        `UPDATE sim_users SET
           subscribed = COALESCE($2, subscribed),
           subscribe_time = COALESCE($3, subscribe_time),
           subscribe_scene = COALESCE($4, subscribe_scene),
           qr_scene = CASE WHEN $6 THEN NULL ELSE COALESCE($5, qr_scene) END,
           last_message_at = COALESCE($7, last_message_at),
           last_event_at = COALESCE($8, last_event_at)
         WHERE openid = $1`,
        [
          openid,
          change.subscribed ?? null,
          ms(change.subscribeTime),
          change.subscribeScene ?? null,
          change.qrScene ?? null,
          'qrScene' in change && change.qrScene === undefined,
          ms(change.lastMessageAt),
          ms(change.lastEventAt),
        ],
      );
    },
    clear: async () => void (await db.query('DELETE FROM sim_users')),
  };
}
