import type Database from 'better-sqlite3';

/** An article of `media/uploadnews`, as the platform keeps it. */
export interface NewsArticle {
  thumb_media_id: string;
  title: string;
  content: string;
  author?: string;
  digest?: string;
  content_source_url?: string;
  show_cover_pic?: number;
}

/** Uploaded news material (`mpnews`), by media_id. */
export function createMediaStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_media (
      media_id TEXT PRIMARY KEY,
      articles TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  const insert = db.prepare<[string, string, number]>(
    'INSERT INTO platform_media (media_id, articles, created_at) VALUES (?, ?, ?)',
  );
  const get = db.prepare<[string], { articles: string }>(
    'SELECT articles FROM platform_media WHERE media_id = ?',
  );
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_material (
      media_id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  const insertMaterial = db.prepare<[string, string, number]>(
    'INSERT INTO platform_material (media_id, type, created_at) VALUES (?, ?, ?)',
  );
  const material = db.prepare<[string], { type: string }>(
    'SELECT type FROM platform_material WHERE media_id = ?',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM platform_media');
  return {
    put: async (mediaId: string, articles: NewsArticle[], at: Date) =>
      void insert.run(mediaId, JSON.stringify(articles), at.getTime()),
    async get(mediaId: string): Promise<NewsArticle[] | undefined> {
      const row = get.get(mediaId);
      return row && (JSON.parse(row.articles) as NewsArticle[]);
    },
    /** Permanent material (`material/add_material`): only its type is kept, not the file. */
    putMaterial: async (mediaId: string, type: string, at: Date) =>
      void insertMaterial.run(mediaId, type, at.getTime()),
    materialType: async (mediaId: string): Promise<string | undefined> =>
      material.get(mediaId)?.type,
    count: async () => count.get()?.n ?? 0,
    clear: async () => void db.exec('DELETE FROM platform_media; DELETE FROM platform_material'),
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
