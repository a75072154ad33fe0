import type { JobRow, MassStatus, MassStore } from '../../platform/mass-store.ts';
import { toJob } from '../../platform/mass-store.ts';
import type { SimPg } from './sim-pg.ts';

type Row = JobRow & Record<string, unknown>;
const FIRST_MSG_ID = 1_000_000_001;

/** Mass-send jobs, monthly receipts and the speed setting, on PostgreSQL. */
export function pgMassStore(db: SimPg): MassStore {
  const one = async (sql: string, params: unknown[]) =>
    toJob((await db.query<Row>(sql, params))[0]);
  const setting = async (key: string) =>
    (
      await db.query<{ value: number }>('SELECT value FROM platform_settings WHERE key = $1', [key])
    )[0]?.value;
  return {
    /** One statement: two instances never take the same msg_id. */
    async nextMsgId() {
      const [row] = await db.query<{ next: number }>(
        `INSERT INTO platform_settings (key, value) VALUES ('next_msg_id', $1)
         ON CONFLICT (key) DO UPDATE SET value = platform_settings.value + 1
         RETURNING value - 1 AS next`,
        [FIRST_MSG_ID + 1],
      );
      return row!.next;
    },
    insert: async (job) =>
      void (await db.query(
        `INSERT INTO platform_mass_jobs
           (msg_id, msg_data_id, api, target, message, clientmsgid, status, created_at, rate)
         VALUES ($1, $2, $3, $4, $5, $6, 'SENDING', $7, $8)`,
        [
          job.msgId,
          job.msgDataId,
          job.api,
          JSON.stringify(job.target),
          JSON.stringify(job.message),
          job.clientMsgId,
          job.createdAt,
          job.rate,
        ],
      )),
    get: (msgId) => one('SELECT * FROM platform_mass_jobs WHERE msg_id = $1', [msgId]),
    byClientMsgId: (clientMsgId, after) =>
      one(
        `SELECT * FROM platform_mass_jobs WHERE clientmsgid = $1 AND created_at > $2
         ORDER BY created_at LIMIT 1`,
        [clientMsgId, after],
      ),
    async countSince(at) {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM platform_mass_jobs WHERE created_at >= $1',
        [at],
      );
      return row?.n ?? 0;
    },
    sending: async () =>
      (
        await db.query<{ msg_id: number }>(
          "SELECT msg_id FROM platform_mass_jobs WHERE status = 'SENDING' ORDER BY msg_id",
        )
      ).map((r) => r.msg_id),
    recent: async (limit) =>
      (
        await db.query<Row>('SELECT * FROM platform_mass_jobs ORDER BY msg_id DESC LIMIT $1', [
          limit,
        ])
      ).map((r) => toJob(r)!),
    progress: async (msgId, step) =>
      void (await db.query(
        `UPDATE platform_mass_jobs SET cursor = $2, done = done + $3, sent = sent + $4,
           errors = errors + $5, filtered_out = filtered_out + $6 WHERE msg_id = $1`,
        [msgId, step.cursor, step.done, step.sent, step.errors, step.filteredOut],
      )),
    setStatus: async (msgId: number, status: MassStatus, at: number | null) =>
      void (await db.query(
        'UPDATE platform_mass_jobs SET status = $1, finished_at = coalesce(finished_at, $2) WHERE msg_id = $3',
        [status, at, msgId],
      )),
    async receivedThisMonth(openid, month) {
      const [row] = await db.query<{ received: number }>(
        'SELECT received FROM platform_mass_receipts WHERE openid = $1 AND month = $2',
        [openid, month],
      );
      return row?.received ?? 0;
    },
    receive: async (openid, month) =>
      void (await db.query(
        `INSERT INTO platform_mass_receipts (openid, month, received) VALUES ($1, $2, 1)
         ON CONFLICT (openid, month) DO UPDATE SET received = platform_mass_receipts.received + 1`,
        [openid, month],
      )),
    async receiptsThisMonth(openids, month) {
      const rows = await db.query<{ openid: string; received: number }>(
        `SELECT openid, received FROM platform_mass_receipts
         WHERE month = $2 AND openid = ANY($1::text[])`,
        [openids, month],
      );
      return new Map(rows.map((r) => [r.openid, r.received]));
    },
    receiveAll: async (openids, month) =>
      void (await db.query(
        `INSERT INTO platform_mass_receipts (openid, month, received)
         SELECT openid, $2, count(*) FROM unnest($1::text[]) AS r(openid) GROUP BY openid
         ON CONFLICT (openid, month)
         DO UPDATE SET received = platform_mass_receipts.received + excluded.received`,
        [openids, month],
      )),
    setting,
    putSetting: async (key, value) =>
      void (await db.query(
        `INSERT INTO platform_settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [key, value],
      )),
    clear: async () =>
      void (await db.query(
        `DELETE FROM platform_mass_jobs; DELETE FROM platform_mass_receipts;
         DELETE FROM platform_settings WHERE key <> 'next_msg_id'`,
      )),
  };
}
