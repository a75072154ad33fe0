import type Database from 'better-sqlite3';

/** Calls counted per API and per period (a day or a month, as a key such as `2026-11-23`). */
export function createQuotaStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_quota (
      api TEXT NOT NULL,
      period TEXT NOT NULL,
      calls INTEGER NOT NULL,
      PRIMARY KEY (api, period)
    )`);
  const get = db.prepare<[string, string], { calls: number }>(
    'SELECT calls FROM platform_quota WHERE api = ? AND period = ?',
  );
  const add = db.prepare<[string, string]>(
    `INSERT INTO platform_quota (api, period, calls) VALUES (?, ?, 1)
     ON CONFLICT (api, period) DO UPDATE SET calls = calls + 1`,
  );
  const clearPeriod = db.prepare<[string, string]>(
    'DELETE FROM platform_quota WHERE period = ? AND api <> ?',
  );
  const all = db.prepare<[string], { api: string; calls: number }>(
    'SELECT api, calls FROM platform_quota WHERE period = ? ORDER BY api',
  );
  return {
    used: async (api: string, period: string) => get.get(api, period)?.calls ?? 0,
    count: async (api: string, period: string) => void add.run(api, period),
    /** Forgets the day's counts of every API but `keep` (clear_quota's own count). */
    clearDay: async (period: string, keep: string) => void clearPeriod.run(period, keep),
    usage: async (period: string) => all.all(period),
    clear: async () => void db.exec('DELETE FROM platform_quota'),
  };
}

export type QuotaStore = ReturnType<typeof createQuotaStore>;
