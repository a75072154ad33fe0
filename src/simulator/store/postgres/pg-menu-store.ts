import type { MenuButton } from '../../platform/menu-rules.ts';
import type { MenuStore } from '../../platform/menu-store.ts';
import type { SimPg } from './sim-pg.ts';

/** The one published menu, on PostgreSQL. */
export function pgMenuStore(db: SimPg): MenuStore {
  return {
    async get() {
      const [row] = await db.query<{ buttons: string; published_at: number }>(
        'SELECT buttons, published_at FROM platform_menu WHERE id = 1',
      );
      return (
        row && {
          buttons: JSON.parse(row.buttons) as MenuButton[],
          publishedAt: new Date(row.published_at),
        }
      );
    },
    put: async (buttons: MenuButton[], at: Date) =>
      void (await db.query(
        `INSERT INTO platform_menu (id, buttons, published_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET buttons = excluded.buttons, published_at = excluded.published_at`,
        [JSON.stringify(buttons), at.getTime()],
      )),
    clear: async () => void (await db.query('DELETE FROM platform_menu')),
  };
}
