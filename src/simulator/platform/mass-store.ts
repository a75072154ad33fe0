import type Database from 'better-sqlite3';
import { asyncTransaction } from '../store/sqlite-transaction.ts';
import type { PlatformMessage } from './ports.ts';

/** Who a job goes to: every follower, a tag's followers, or a list of OpenIDs. */
export type MassTarget =
  { kind: 'all' } | { kind: 'tag'; tagId: number } | { kind: 'list'; openids: string[] };

export type MassStatus = 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE';

export interface MassJob {
  msgId: number;
  msgDataId: number | null;
  api: string;
  target: MassTarget;
  message: PlatformMessage;
  clientMsgId: string | null;
  status: MassStatus;
  createdAt: number;
  /** Messages a minute when it was accepted. */
  rate: number;
  /** Where delivery goes on: the last OpenID done, or an index into a list. */
  cursor: string | null;
  /** Recipients looked at so far: sent + errors + filtered out. */
  done: number;
  sent: number;
  errors: number;
  /** Over their monthly quota (a service account's 4 a month): not sent to. */
  filteredOut: number;
  finishedAt: number | null;
}

export interface JobRow {
  msg_id: number;
  msg_data_id: number | null;
  api: string;
  target: string;
  message: string;
  clientmsgid: string | null;
  status: MassStatus;
  created_at: number;
  rate: number;
  cursor: string | null;
  done: number;
  sent: number;
  errors: number;
  filtered_out: number;
  finished_at: number | null;
}

/** Mass-send jobs, their progress, each user's monthly receipts, and the speed setting. */
export function createMassStore(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_mass_jobs (
      msg_id INTEGER PRIMARY KEY,
      msg_data_id INTEGER,
      api TEXT NOT NULL,
      target TEXT NOT NULL,
      message TEXT NOT NULL,
      clientmsgid TEXT,
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      rate INTEGER NOT NULL,
      cursor TEXT,
      done INTEGER NOT NULL DEFAULT 0,
      sent INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      filtered_out INTEGER NOT NULL DEFAULT 0,
      finished_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS platform_mass_jobs_client ON platform_mass_jobs (clientmsgid, created_at);
    CREATE INDEX IF NOT EXISTS platform_mass_jobs_created ON platform_mass_jobs (created_at);
    CREATE TABLE IF NOT EXISTS platform_mass_receipts (
      openid TEXT NOT NULL,
      month TEXT NOT NULL,
      received INTEGER NOT NULL,
      PRIMARY KEY (openid, month)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS platform_settings (
      key TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    );`);
  const insert = db.prepare(
    `INSERT INTO platform_mass_jobs
       (msg_id, msg_data_id, api, target, message, clientmsgid, status, created_at, rate)
     VALUES (@msgId, @msgDataId, @api, @target, @message, @clientMsgId, 'SENDING', @createdAt, @rate)`,
  );
  const get = db.prepare<[number], JobRow>('SELECT * FROM platform_mass_jobs WHERE msg_id = ?');
  const byClient = db.prepare<[string, number], JobRow>(
    `SELECT * FROM platform_mass_jobs WHERE clientmsgid = ? AND created_at > ?
     ORDER BY created_at LIMIT 1`,
  );
  const since = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM platform_mass_jobs WHERE created_at >= ?',
  );
  const sending = db.prepare<[], { msg_id: number }>(
    "SELECT msg_id FROM platform_mass_jobs WHERE status = 'SENDING' ORDER BY msg_id",
  );
  const recent = db.prepare<[number], JobRow>(
    'SELECT * FROM platform_mass_jobs ORDER BY msg_id DESC LIMIT ?',
  );
  const progress = db.prepare(
    `UPDATE platform_mass_jobs SET cursor = @cursor, done = done + @done, sent = sent + @sent,
       errors = errors + @errors, filtered_out = filtered_out + @filteredOut WHERE msg_id = @msgId`,
  );
  const setStatus = db.prepare<[MassStatus, number | null, number]>(
    'UPDATE platform_mass_jobs SET status = ?, finished_at = coalesce(finished_at, ?) WHERE msg_id = ?',
  );
  const received = db.prepare<[string, string], { received: number }>(
    'SELECT received FROM platform_mass_receipts WHERE openid = ? AND month = ?',
  );
  const receive = db.prepare<[string, string]>(
    `INSERT INTO platform_mass_receipts (openid, month, received) VALUES (?, ?, 1)
     ON CONFLICT (openid, month) DO UPDATE SET received = received + 1`,
  );
  const getSetting = db.prepare<[string], { value: number }>(
    'SELECT value FROM platform_settings WHERE key = ?',
  );
  const putSetting = db.prepare<[string, number]>(
    `INSERT INTO platform_settings (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );

  const setting = (key: string) => getSetting.get(key)?.value;
  return {
    /** A fresh msg_id: 10-digit integers, as the platform's are. */
    nextMsgId: asyncTransaction(db, (): number => {
      const next = setting('next_msg_id') ?? 1_000_000_001;
      putSetting.run('next_msg_id', next + 1);
      return next;
    }),
    async insert(
      job: Pick<
        MassJob,
        'msgId' | 'msgDataId' | 'api' | 'target' | 'message' | 'clientMsgId' | 'createdAt' | 'rate'
      >,
    ) {
      insert.run({
        ...job,
        target: JSON.stringify(job.target),
        message: JSON.stringify(job.message),
      });
    },
    get: async (msgId: number) => toJob(get.get(msgId)),
    /** The first job with this clientmsgid created after `after` (ms). */
    byClientMsgId: async (clientMsgId: string, after: number) =>
      toJob(byClient.get(clientMsgId, after)),
    /** Jobs accepted since `at`, deleted ones too: deleting a send does not give it back. */
    countSince: async (at: number) => since.get(at)?.n ?? 0,
    sending: async () => sending.all().map((r) => r.msg_id),
    recent: async (limit: number) => recent.all(limit).map((r) => toJob(r)!),
    progress: async (
      msgId: number,
      step: {
        cursor: string | null;
        done: number;
        sent: number;
        errors: number;
        filteredOut: number;
      },
    ) => void progress.run({ msgId, ...step }),
    setStatus: async (msgId: number, status: MassStatus, at: number | null) =>
      void setStatus.run(status, at, msgId),
    receivedThisMonth: async (openid: string, month: string) =>
      received.get(openid, month)?.received ?? 0,
    receive: async (openid: string, month: string) => void receive.run(openid, month),
    /** This month's receipts of those of `openids` who have any. */
    receiptsThisMonth: async (openids: string[], month: string) => {
      const counts = new Map<string, number>();
      for (const openid of openids) {
        const row = received.get(openid, month);
        if (row) counts.set(openid, row.received);
      }
      return counts;
    },
    /** One receipt each, an OpenID named twice receiving twice. */
    receiveAll: async (openids: string[], month: string) => {
      for (const openid of openids) receive.run(openid, month);
    },
    setting: async (key: string) => setting(key),
    putSetting: async (key: string, value: number) => void putSetting.run(key, value),
    /** Forgets jobs, receipts and the speed; msg_ids keep counting, so none is given twice. */
    clear: async () =>
      void db.exec(
        `DELETE FROM platform_mass_jobs; DELETE FROM platform_mass_receipts;
         DELETE FROM platform_settings WHERE key <> 'next_msg_id'`,
      ),
  };
}

export type MassStore = ReturnType<typeof createMassStore>;

export function toJob(row: JobRow | undefined): MassJob | undefined {
  return (
    row && {
      msgId: row.msg_id,
      msgDataId: row.msg_data_id,
      api: row.api,
      target: JSON.parse(row.target) as MassTarget,
      message: JSON.parse(row.message) as PlatformMessage,
      clientMsgId: row.clientmsgid,
      status: row.status,
      createdAt: row.created_at,
      rate: row.rate,
      cursor: row.cursor,
      done: row.done,
      sent: row.sent,
      errors: row.errors,
      filteredOut: row.filtered_out,
      finishedAt: row.finished_at,
    }
  );
}
