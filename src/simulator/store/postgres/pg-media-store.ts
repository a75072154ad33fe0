import type { MediaStore, NewsArticle } from '../../platform/media-store.ts';
import type { SimPg } from './sim-pg.ts';

/** Uploaded news and permanent material, on PostgreSQL. */
export function pgMediaStore(db: SimPg): MediaStore {
  return {
    put: async (mediaId: string, articles: NewsArticle[], at: Date) =>
      void (await db.query(
        'INSERT INTO platform_media (media_id, articles, created_at) VALUES ($1, $2, $3)',
        [mediaId, JSON.stringify(articles), at.getTime()],
      )),
    async get(mediaId: string) {
      const [row] = await db.query<{ articles: string }>(
        'SELECT articles FROM platform_media WHERE media_id = $1',
        [mediaId],
      );
      return row && (JSON.parse(row.articles) as NewsArticle[]);
    },
    putMaterial: async (mediaId: string, type: string, at: Date) =>
      void (await db.query(
        'INSERT INTO platform_material (media_id, type, created_at) VALUES ($1, $2, $3)',
        [mediaId, type, at.getTime()],
      )),
    async materialType(mediaId: string) {
      const [row] = await db.query<{ type: string }>(
        'SELECT type FROM platform_material WHERE media_id = $1',
        [mediaId],
      );
      return row?.type;
    },
    async count() {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM platform_media');
      return row?.n ?? 0;
    },
    clear: async () =>
      void (await db.query('DELETE FROM platform_media; DELETE FROM platform_material')),
  };
}
