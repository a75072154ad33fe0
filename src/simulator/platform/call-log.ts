import type Database from 'better-sqlite3';

/** One API call as the inspector shows it. */
export interface CallRecord {
  id: number;
  at: string;
  api: string;
  method: string;
  /** `accepted`, or `refused` with the code and the reason in words. */
  verdict: 'accepted' | 'refused';
  errcode: number;
  reason?: string;
  /** The token, masked: never stored whole. */
  token?: string;
  request?: unknown;
  answer?: unknown;
}

/** Big mass lists are cut in the log: the inspector needs the shape, not 10,000 OpenIDs. */
const MAX_LOGGED_CHARS = 4096;
export const CALLS_PAGE_MAX = 500;
const CALLS_PAGE_DEFAULT = 50;
export const KEEP_CALLS = 10_000;

export interface CallRow {
  id: number;
  at: string;
  api: string;
  method: string;
  errcode: number;
  reason: string | null;
  token: string | null;
  request: string | null;
  answer: string | null;
}

/** Every call the platform answered, newest last; the oldest are dropped past 10,000. */
export function createCallLog(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS platform_calls (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      api TEXT NOT NULL,
      method TEXT NOT NULL,
      errcode INTEGER NOT NULL,
      reason TEXT,
      token TEXT,
      request TEXT,
      answer TEXT
    )`);
  const insert = db.prepare(
    `INSERT INTO platform_calls (at, api, method, errcode, reason, token, request, answer)
     VALUES (@at, @api, @method, @errcode, @reason, @token, @request, @answer)`,
  );
  const trim = db.prepare<[number]>('DELETE FROM platform_calls WHERE id <= ?');
  const page = db.prepare<[number, number], CallRow>(
    'SELECT * FROM platform_calls WHERE id < ? ORDER BY id DESC LIMIT ?',
  );

  return {
    /** Stores a call; answers its id. */
    async record(call: Omit<CallRecord, 'id' | 'verdict'>): Promise<number> {
      const { lastInsertRowid } = insert.run({
        at: call.at,
        api: call.api,
        method: call.method,
        errcode: call.errcode,
        reason: call.reason ?? null,
        token: call.token ?? null,
        request: clip(call.request),
        answer: clip(call.answer),
      });
      const id = Number(lastInsertRowid);
      if (id % 1000 === 0) trim.run(id - KEEP_CALLS);
      return id;
    },
    /** Newest first; `before` is the id of the last call of the previous page. */
    async page(options: CallsPage = {}): Promise<CallRecord[]> {
      const { cursor, size } = pageOf(options);
      return page.all(cursor, size).map(toRecord);
    },
    clear: async () => void db.exec('DELETE FROM platform_calls'),
  };
}

export interface CallsPage {
  limit?: number;
  before?: number;
}

/** Values from a query string: anything odd falls back to the defaults. */
export function pageOf({ limit = CALLS_PAGE_DEFAULT, before }: CallsPage): {
  cursor: number;
  size: number;
} {
  const size = Number.isFinite(limit)
    ? Math.max(1, Math.min(CALLS_PAGE_MAX, Math.floor(limit)))
    : CALLS_PAGE_DEFAULT;
  return { cursor: Number.isSafeInteger(before) ? before! : Number.MAX_SAFE_INTEGER, size };
}

export function clip(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text.length <= MAX_LOGGED_CHARS ? text : `${text.slice(0, MAX_LOGGED_CHARS)}…`;
}

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // a clipped record stays readable as text
  }
}

export function toRecord(row: CallRow): CallRecord {
  return {
    id: row.id,
    at: row.at,
    api: row.api,
    method: row.method,
    verdict: row.errcode === 0 ? 'accepted' : 'refused',
    errcode: row.errcode,
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.token === null ? {} : { token: row.token }),
    request: parse(row.request),
    answer: parse(row.answer),
  };
}

export type CallLog = ReturnType<typeof createCallLog>;
