import type Database from 'better-sqlite3';
import { asyncTransaction } from '../store/sqlite-transaction.ts';

export interface TagRow {
  id: number;
  name: string;
  count: number;
}

/** The account's tags and who carries them. Ids start at 100: 0 to 2 are the platform's. */
export function createTagStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_tags (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS platform_tag_members (
      tag_id INTEGER NOT NULL,
      openid TEXT NOT NULL,
      PRIMARY KEY (tag_id, openid)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS platform_tag_members_openid ON platform_tag_members (openid);`);
  const all = db.prepare<[], TagRow>(
    `SELECT t.id, t.name, (SELECT count(*) FROM platform_tag_members m WHERE m.tag_id = t.id) AS count
     FROM platform_tags t ORDER BY t.id`,
  );
  const byId = db.prepare<[number], { id: number; name: string }>(
    'SELECT id, name FROM platform_tags WHERE id = ?',
  );
  const byName = db.prepare<[string], { id: number; name: string }>(
    'SELECT id, name FROM platform_tags WHERE name = ?',
  );
  const total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM platform_tags');
  const insert = db.prepare<[string]>(
    'INSERT INTO platform_tags (id, name) SELECT coalesce(max(id), 99) + 1, ? FROM platform_tags',
  );
  const rename = db.prepare<[string, number]>('UPDATE platform_tags SET name = ? WHERE id = ?');
  const remove = db.prepare<[number]>('DELETE FROM platform_tags WHERE id = ?');
  const removeMembers = db.prepare<[number]>('DELETE FROM platform_tag_members WHERE tag_id = ?');
  const memberCount = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM platform_tag_members WHERE tag_id = ?',
  );
  const tagsOf = db.prepare<[string], { tag_id: number }>(
    'SELECT tag_id FROM platform_tag_members WHERE openid = ? ORDER BY tag_id',
  );
  const add = db.prepare<[number, string]>(
    'INSERT OR IGNORE INTO platform_tag_members (tag_id, openid) VALUES (?, ?)',
  );
  const drop = db.prepare<[number, string]>(
    'DELETE FROM platform_tag_members WHERE tag_id = ? AND openid = ?',
  );
  const members = db.prepare<[number, string, number], { openid: string }>(
    'SELECT openid FROM platform_tag_members WHERE tag_id = ? AND openid > ? ORDER BY openid LIMIT ?',
  );

  return {
    all: async () => all.all(),
    byId: async (id: number) => byId.get(id),
    byName: async (name: string) => byName.get(name),
    total: async () => total.get()?.n ?? 0,
    async create(name: string): Promise<number> {
      insert.run(name);
      return byName.get(name)!.id;
    },
    rename: async (id: number, name: string) => void rename.run(name, id),
    remove: asyncTransaction(db, (id: number) => {
      removeMembers.run(id);
      remove.run(id);
    }),
    memberCount: async (id: number) => memberCount.get(id)?.n ?? 0,
    tagsOf: async (openid: string) => tagsOf.all(openid).map((r) => r.tag_id),
    /** Applies every change or none: one bad OpenID costs the call, not half of it. */
    tag: asyncTransaction(db, (id: number, openids: string[]) => {
      for (const openid of openids) add.run(id, openid);
    }),
    untag: asyncTransaction(db, (id: number, openids: string[]) => {
      for (const openid of openids) drop.run(id, openid);
    }),
    /** Members in OpenID order, after `after` (exclusive). */
    members: async (id: number, after: string, limit: number) =>
      members.all(id, after, limit).map((r) => r.openid),
    clear: async () => void db.exec('DELETE FROM platform_tag_members; DELETE FROM platform_tags'),
  };
}

export type TagStore = ReturnType<typeof createTagStore>;
