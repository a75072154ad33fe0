import type { QuotaStore } from '../../platform/quota-store.ts';
import type { SimPg } from './sim-pg.ts';

/** Calls counted per API and period, on PostgreSQL. */
export function pgQuotaStore(db: SimPg): QuotaStore {
  return {
    async used(api: string, period: string) {
      const [row] = await db.query<{ calls: number }>(
        'SELECT calls FROM platform_quota WHERE api = $1 AND period = $2',
        [api, period],
      );
      return row?.calls ?? 0;
    },
    count: async (api: string, period: string) =>
      void (await db.query(
        `INSERT INTO platform_quota (api, period, calls) VALUES ($1, $2, 1)
         ON CONFLICT (api, period) DO UPDATE SET calls = platform_quota.calls + 1`,
        [api, period],
      )),
    clearDay: async (period: string, keep: string) =>
      void (await db.query('DELETE FROM platform_quota WHERE period = $1 AND api <> $2', [
        period,
        keep,
      ])),
    usage: (period: string) =>
      db.query<{ api: string; calls: number }>(
        'SELECT api, calls FROM platform_quota WHERE period = $1 ORDER BY api',
        [period],
      ),
    clear: async () => void (await db.query('DELETE FROM platform_quota')),
  };
}
