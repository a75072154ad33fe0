import type { CallLog, CallRow } from '../../platform/call-log.ts';
import { KEEP_CALLS, clip, pageOf, toRecord } from '../../platform/call-log.ts';
import type { SimPg } from './sim-pg.ts';

/** Every call the platform answered, on PostgreSQL; the oldest are dropped past 10,000. */
export function pgCallLog(db: SimPg): CallLog {
  return {
    async record(call) {
      const [row] = await db.query<{ id: number }>(
        `INSERT INTO platform_calls (at, api, method, errcode, reason, token, request, answer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          call.at,
          call.api,
          call.method,
          call.errcode,
          call.reason ?? null,
          call.token ?? null,
          clip(call.request),
          clip(call.answer),
        ],
      );
      const id = row!.id;
      if (id % 1000 === 0)
        await db.query('DELETE FROM platform_calls WHERE id <= $1', [id - KEEP_CALLS]);
      return id;
    },
    async page(options = {}) {
      const { cursor, size } = pageOf(options);
      const rows = await db.query<CallRow & Record<string, unknown>>(
        'SELECT * FROM platform_calls WHERE id < $1 ORDER BY id DESC LIMIT $2',
        [cursor, size],
      );
      return rows.map(toRecord);
    },
    clear: async () => void (await db.query('DELETE FROM platform_calls')),
  };
}
