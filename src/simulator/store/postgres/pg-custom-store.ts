import type { CustomStore } from '../../platform/custom-store.ts';
import type { SimPg } from './sim-pg.ts';

/** When customer-service messages went to each user, on PostgreSQL. */
export function pgCustomStore(db: SimPg): CustomStore {
  return {
    async countSince(openid: string, at: Date) {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM platform_custom_sends WHERE openid = $1 AND at >= $2',
        [openid, at.getTime()],
      );
      return row?.n ?? 0;
    },
    record: (openid: string, at: Date, forgetBefore: Date) =>
      db.atomically(async () => {
        await db.query('DELETE FROM platform_custom_sends WHERE openid = $1 AND at < $2', [
          openid,
          forgetBefore.getTime(),
        ]);
        await db.query('INSERT INTO platform_custom_sends (openid, at) VALUES ($1, $2)', [
          openid,
          at.getTime(),
        ]);
      }),
    clear: async () => void (await db.query('DELETE FROM platform_custom_sends')),
  };
}
