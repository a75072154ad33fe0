import type { TagRow, TagStore } from '../../platform/tag-store.ts';
import type { SimPg } from './sim-pg.ts';

type Tag = { id: number; name: string };

/** The account's tags and who carries them, on PostgreSQL. */
export function pgTagStore(db: SimPg): TagStore {
  const byName = async (name: string) =>
    (await db.query<Tag>('SELECT id, name FROM platform_tags WHERE name = $1', [name]))[0];
  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(sql, params))[0]?.n ?? 0;
  return {
    all: () =>
      db.query<TagRow & Record<string, unknown>>(
        `SELECT t.id, t.name,
           (SELECT count(*)::int FROM platform_tag_members m WHERE m.tag_id = t.id) AS count
         FROM platform_tags t ORDER BY t.id`,
      ),
    byId: async (id: number) =>
      (await db.query<Tag>('SELECT id, name FROM platform_tags WHERE id = $1', [id]))[0],
    byName,
    total: () => count('SELECT count(*)::int AS n FROM platform_tags'),
    async create(name: string) {
      const [row] = await db.query<{ id: number }>(
        `INSERT INTO platform_tags (id, name)
         SELECT coalesce(max(id), 99) + 1, $1 FROM platform_tags RETURNING id`,
        [name],
      );
      return row!.id;
    },
    rename: async (id: number, name: string) =>
      void (await db.query('UPDATE platform_tags SET name = $1 WHERE id = $2', [name, id])),
    remove: (id: number) =>
      db.atomically(async () => {
        await db.query('DELETE FROM platform_tag_members WHERE tag_id = $1', [id]);
        await db.query('DELETE FROM platform_tags WHERE id = $1', [id]);
      }),
    memberCount: (id: number) =>
      count('SELECT count(*)::int AS n FROM platform_tag_members WHERE tag_id = $1', [id]),
    tagsOf: async (openid: string) =>
      (
        await db.query<{ tag_id: number }>(
          'SELECT tag_id FROM platform_tag_members WHERE openid = $1 ORDER BY tag_id',
          [openid],
        )
      ).map((r) => r.tag_id),
    /** One statement: every change or none. */
    tag: async (id: number, openids: string[]) =>
      void (await db.query(
        `INSERT INTO platform_tag_members (tag_id, openid) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING`,
        [id, openids],
      )),
    untag: async (id: number, openids: string[]) =>
      void (await db.query(
        'DELETE FROM platform_tag_members WHERE tag_id = $1 AND openid = ANY($2::text[])',
        [id, openids],
      )),
    members: async (id: number, after: string, limit: number) =>
      (
        await db.query<{ openid: string }>(
          `SELECT openid FROM platform_tag_members WHERE tag_id = $1 AND openid > $2
           ORDER BY openid LIMIT $3`,
          [id, after, limit],
        )
      ).map((r) => r.openid),
    clear: async () =>
      void (await db.query('DELETE FROM platform_tag_members; DELETE FROM platform_tags')),
  };
}
