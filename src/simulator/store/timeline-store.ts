import type Database from 'better-sqlite3';
import { writeBatchOf } from './write-batch.ts';

/** How an item reached the timeline. */
export type TimelineSource = 'user' | 'reply' | 'custom' | 'mass' | 'preview' | 'error';

/** One item of a user's timeline as stored and answered. */
export interface TimelineItem {
  id: number;
  openid: string;
  /** Virtual time, ISO. */
  at: string;
  source: TimelineSource;
  /** `action` for the user's side, `message` for the account's, `error` for the platform's. */
  action?: Record<string, unknown>;
  message?: Record<string, unknown>;
  error?: { kind: 'dropped' | 'unavailable' | 'refused'; rule?: string; message: string };
  /** The raw exchange, for the inspector. */
  record?: Record<string, unknown>;
}

export type NewTimelineItem = Omit<TimelineItem, 'id'>;

export interface TimelineRow {
  id: number;
  openid: string;
  at: number;
  source: TimelineSource;
  body: string;
  record: string | null;
}

export function toItem(row: TimelineRow): TimelineItem {
  return {
    id: row.id,
    openid: row.openid,
    at: new Date(row.at).toISOString(),
    source: row.source,
    ...(JSON.parse(row.body) as object),
    ...(row.record !== null && { record: JSON.parse(row.record) as Record<string, unknown> }),
  };
}

/** An item with its record, or the record of the item it shares it with. */
export const READ_TIMELINE = `SELECT t.id, t.openid, t.at, t.source, t.body, COALESCE(t.record, r.record) AS record
  FROM sim_timeline t LEFT JOIN sim_timeline r ON r.id = t.record_of`;

/** The timeline table: SQL only. */
export function createTimelineStore(db: Database.Database) {
  const insert = db.prepare(
    'INSERT INTO sim_timeline (openid, at, source, body, record, record_of) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const page = db.prepare(
    `${READ_TIMELINE} WHERE t.openid = ? AND t.id < ? ORDER BY t.id DESC LIMIT ?`,
  );
  const one = db.prepare(`${READ_TIMELINE} WHERE t.id = ?`);
  const setRecord = db.prepare('UPDATE sim_timeline SET record = ? WHERE id = ?');
  /** `recordOf`: the item whose stored record this one shares (its own is not written). */
  const append = (item: NewTimelineItem, recordOf?: number): TimelineItem => {
    const { openid, at, source, record, ...body } = item;
    const stored = recordOf === undefined && record ? JSON.stringify(record) : null;
    const ms = Date.parse(at);
    const id = Number(
      insert.run(openid, ms, source, JSON.stringify(body), stored, recordOf ?? null)
        .lastInsertRowid,
    );
    return { id, ...item };
  };
  const appendMany = db.transaction((items: NewTimelineItem[]) => items.map((i) => append(i)));
  const batch = writeBatchOf(db);
  const settle = (id: number, record: Record<string, unknown>, seen?: NewTimelineItem) =>
    batch.run(() => {
      setRecord.run(JSON.stringify(record), id);
      return seen && append({ ...seen, record }, id);
    });
  return {
    append: async (item: NewTimelineItem) => append(item),
    /** All or none, in order, with their ids. */
    appendMany: async (items: NewTimelineItem[]) => appendMany(items),
    /** Newest first, older than the item `before`. */
    async page(
      openid: string,
      limit: number,
      before = Number.MAX_SAFE_INTEGER,
    ): Promise<TimelineItem[]> {
      return (page.all(openid, before, limit) as TimelineRow[]).map(toItem);
    },
    async item(id: number): Promise<TimelineItem | undefined> {
      const row = one.get(id) as TimelineRow | undefined;
      return row && toItem(row);
    },
    /**
     * In one commit: item `id` keeps `record`, and `seen` (what came of it, if anything)
     * is added sharing it.
     */
    settle: async (id: number, record: Record<string, unknown>, seen?: NewTimelineItem) =>
      settle(id, record, seen),
    clear: async () => void db.exec('DELETE FROM sim_timeline'),
  };
}

export type TimelineStore = ReturnType<typeof createTimelineStore>;
