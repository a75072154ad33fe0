import type Database from 'better-sqlite3';
import type { Follower } from '../platform/ports.ts';

/** A simulated user: what the platform knows of a follower, plus the simulator's own tags. */
export interface SimUser extends Follower {
  tags: string[];
  createdAt: Date;
}

export interface UserRow {
  openid: string;
  nickname: string;
  language: string;
  tags: string;
  subscribed: number;
  subscribe_time: number | null;
  subscribe_scene: string | null;
  qr_scene: string | null;
  last_message_at: number | null;
  last_event_at: number | null;
  created_at: number;
}

const date = (ms: number | null) => (ms === null ? undefined : new Date(ms));

export function toUser(row: UserRow): SimUser {
  return {
    openid: row.openid,
    nickname: row.nickname,
    language: row.language,
    tags: JSON.parse(row.tags) as string[],
    subscribed: row.subscribed === 1,
    ...(row.subscribe_time !== null && { subscribeTime: date(row.subscribe_time) }),
    ...(row.subscribe_scene !== null && { subscribeScene: row.subscribe_scene }),
    ...(row.qr_scene !== null && { qrScene: row.qr_scene }),
    ...(row.last_message_at !== null && { lastMessageAt: date(row.last_message_at) }),
    ...(row.last_event_at !== null && { lastEventAt: date(row.last_event_at) }),
    createdAt: new Date(row.created_at),
  };
}

export type NewUser = Pick<SimUser, 'openid' | 'nickname' | 'language' | 'tags' | 'createdAt'>;

/** The changes an action makes to a user. */
export type UserChange = Partial<
  Pick<
    SimUser,
    'subscribed' | 'subscribeTime' | 'subscribeScene' | 'qrScene' | 'lastMessageAt' | 'lastEventAt'
  >
>;

/** The users' table: SQL only. */
export function createUserStore(db: Database.Database) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO sim_users (openid, nickname, language, tags, created_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare('SELECT * FROM sim_users WHERE openid = ?');
  const after = db.prepare('SELECT * FROM sim_users WHERE openid > ? ORDER BY openid LIMIT ?');
  const followersAfter = db.prepare(
    'SELECT openid FROM sim_users WHERE subscribed = 1 AND openid > ? ORDER BY openid LIMIT ?',
  );
  const isFollower = db.prepare('SELECT 1 FROM sim_users WHERE openid = ? AND subscribed = 1');
  const counts = db.prepare(
    'SELECT COUNT(*) AS total, COALESCE(SUM(subscribed), 0) AS followers FROM sim_users',
  );
  const update = db.prepare(
    `UPDATE sim_users SET
       subscribed = COALESCE(@subscribed, subscribed),
       subscribe_time = COALESCE(@subscribe_time, subscribe_time),
       subscribe_scene = COALESCE(@subscribe_scene, subscribe_scene),
       qr_scene = CASE WHEN @clear_qr THEN NULL ELSE COALESCE(@qr_scene, qr_scene) END,
       last_message_at = COALESCE(@last_message_at, last_message_at),
       last_event_at = COALESCE(@last_event_at, last_event_at)
     WHERE openid = @openid`,
  );
  const insertMany = db.transaction((users: NewUser[]) => {
    let created = 0;
    for (const u of users)
      created += insert.run(
        u.openid,
        u.nickname,
        u.language,
        JSON.stringify(u.tags),
        +u.createdAt,
      ).changes;
    return created;
  });

  return {
    /** Inserts users not there yet (same OpenID: kept as it is); answers how many were new. */
    insert: async (users: NewUser[]): Promise<number> => insertMany(users),
    async get(openid: string): Promise<SimUser | undefined> {
      const row = byId.get(openid) as UserRow | undefined;
      return row && toUser(row);
    },
    async page(afterOpenid: string, limit: number): Promise<SimUser[]> {
      return (after.all(afterOpenid, limit) as UserRow[]).map(toUser);
    },
    async followerPage(afterOpenid: string, limit: number): Promise<string[]> {
      return (followersAfter.all(afterOpenid, limit) as { openid: string }[]).map((r) => r.openid);
    },
    /** Those of `openids` who follow: a mass send's tag or list, checked at once. */
    async subscribedAmong(openids: string[]): Promise<Set<string>> {
      return new Set(openids.filter((openid) => isFollower.get(openid) !== undefined));
    },
    counts: async () => counts.get() as { total: number; followers: number },
    /** `qrScene: undefined` with the key present clears it (a follow without a scene). */
    async update(openid: string, change: UserChange): Promise<void> {
      const ms = (d: Date | undefined) => (d ? d.getTime() : null);
      update.run({
        openid,
        subscribed: change.subscribed === undefined ? null : change.subscribed ? 1 : 0,
        subscribe_time: ms(change.subscribeTime),
        subscribe_scene: change.subscribeScene ?? null,
        qr_scene: change.qrScene ?? null,
        clear_qr: 'qrScene' in change && change.qrScene === undefined ? 1 : 0,
        last_message_at: ms(change.lastMessageAt),
        last_event_at: ms(change.lastEventAt),
      });
    },
    clear: async () => void db.exec('DELETE FROM sim_users'),
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
