import type {
  NewTimelineItem,
  TimelineItem,
  TimelineRow,
  TimelineStore,
} from '../timeline-store.ts';
import { READ_TIMELINE, toItem } from '../timeline-store.ts';
import type { SimPg } from './sim-pg.ts';

type Row = TimelineRow & Record<string, unknown>;

/** The timeline table on PostgreSQL. */
export function pgTimelineStore(db: SimPg): TimelineStore {
  /** `recordOf`: the item whose stored record this one shares (its own is not written). */
  const append = async (item: NewTimelineItem, recordOf?: number): Promise<TimelineItem> => {
    const { openid, at, source, record, ...body } = item;
    const stored = recordOf === undefined && record ? JSON.stringify(record) : null;
    const [row] = await db.query<{ id: number }>(
      `INSERT INTO sim_timeline (openid, at, source, body, record, record_of)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [openid, Date.parse(at), source, JSON.stringify(body), stored, recordOf ?? null],
    );
    return { id: row!.id, ...item };
  };
  return {
    append: (item) => append(item),
    async appendMany(items) {
      if (items.length === 0) return [];
      const rows = items.map(({ openid, at, source, record, ...body }) => ({
        openid,
        at: Date.parse(at),
        source,
        body: JSON.stringify(body),
        record: record ? JSON.stringify(record) : null,
      }));
      const ids = await db.query<{ id: number }>(
        `INSERT INTO sim_timeline (openid, at, source, body, record)
         SELECT openid, at, source, body, record
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])
           WITH ORDINALITY AS i(openid, at, source, body, record, n)
         ORDER BY n RETURNING id`,
        [
          rows.map((r) => r.openid),
          rows.map((r) => r.at),
          rows.map((r) => r.source),
          rows.map((r) => r.body),
          rows.map((r) => r.record),
        ],
      );
      // The sequence numbers the rows in the order given; RETURNING's order is not promised.
      const sorted = ids.map((r) => r.id).sort((a, b) => a - b);
      return items.map((item, i) => ({ id: sorted[i]!, ...item }));
    },
    async page(openid, limit, before = Number.MAX_SAFE_INTEGER) {
      const rows = await db.query<Row>(
        `${READ_TIMELINE} WHERE t.openid = $1 AND t.id < $2 ORDER BY t.id DESC LIMIT $3`,
        [openid, before, limit],
      );
      return rows.map(toItem);
    },
    async item(id) {
      const [row] = await db.query<Row>(`${READ_TIMELINE} WHERE t.id = $1`, [id]);
      return row && toItem(row);
    },
    settle: (id, record, seen) =>
      db.atomically(async () => {
        await db.query('UPDATE sim_timeline SET record = $1 WHERE id = $2', [
          JSON.stringify(record),
          id,
        ]);
        return seen && append({ ...seen, record }, id);
      }),
    clear: async () => void (await db.query('DELETE FROM sim_timeline')),
  };
}
