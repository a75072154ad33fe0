import type Database from 'better-sqlite3';
import type { MenuButton } from './menu-rules.ts';

/** The one published menu of the account. */
export function createMenuStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_menu (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      buttons TEXT NOT NULL,
      published_at INTEGER NOT NULL
    )`);
  const get = db.prepare<[], { buttons: string; published_at: number }>(
    'SELECT buttons, published_at FROM platform_menu WHERE id = 1',
  );
  const put = db.prepare<[string, number]>(
    `INSERT INTO platform_menu (id, buttons, published_at) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET buttons = excluded.buttons, published_at = excluded.published_at`,
  );
  return {
    async get(): Promise<{ buttons: MenuButton[]; publishedAt: Date } | undefined> {
      const row = get.get();
      return (
        row && {
          buttons: JSON.parse(row.buttons) as MenuButton[],
          publishedAt: new Date(row.published_at),
        }
      );
    },
    put: async (buttons: MenuButton[], at: Date) =>
      void put.run(JSON.stringify(buttons), at.getTime()),
    clear: async () => void db.exec('DELETE FROM platform_menu'),
  };
}

export type MenuStore = ReturnType<typeof createMenuStore>;
