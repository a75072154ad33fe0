import type { Entry } from '../content/entry.ts';
import type { EntryChange } from '../content/library.ts';
import { writeTransaction } from '../store/database.ts';
import type { SqliteGate } from '../store/sqlite-gate.ts';
import { indexTerms, queryTermGroups } from '../text/tokenize.ts';
import type { ArchiveIndex, SyncCounts } from './archive-index.ts';
import { FIELD_WEIGHTS, meaningfulPhrases, minimumMatch, type Phrase } from './query-phrases.ts';

/** bm25's column weights, in the order of the FTS5 table's columns. */
const WEIGHTS = [
  FIELD_WEIGHTS.title,
  FIELD_WEIGHTS.summary,
  FIELD_WEIGHTS.keywords,
  FIELD_WEIGHTS.body,
];

/**
 * The archive index in SQLite FTS5, kept in the database file, so a restart re-indexes
 * only files that changed. Text is turned into index terms by our own tokenizer
 * (`indexTerms`): FTS5's unicode61 then only splits on the spaces between them, and its
 * porter stemmer stems English words.
 */
export function sqliteArchiveIndex(gate: SqliteGate): ArchiveIndex {
  const { db } = gate;
  const docs = db.prepare<[], { rowid: number; entry_id: string; hash: string }>(
    'SELECT rowid, entry_id, hash FROM search_docs',
  );
  const docByEntry = db.prepare<[string], { rowid: number; hash: string }>(
    'SELECT rowid, hash FROM search_docs WHERE entry_id = ?',
  );
  const insertDoc = db.prepare(
    'INSERT INTO search_docs (entry_id, hash, published_at) VALUES (?, ?, ?)',
  );
  const insertFts = db.prepare(
    'INSERT INTO search_fts (rowid, title, summary, keywords, body) VALUES (?, ?, ?, ?, ?)',
  );
  const deleteDoc = db.prepare('DELETE FROM search_docs WHERE rowid = ?');
  const deleteFts = db.prepare('DELETE FROM search_fts WHERE rowid = ?');
  // Only entries published by `now` are ranked: a future entry is never found, and the
  // pages of "more" count only what may be shown.
  const query = db.prepare<[string, number, number, number], { entry_id: string }>(`
    SELECT d.entry_id FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
    WHERE search_fts MATCH ? AND d.published_at <= ?
    ORDER BY bm25(search_fts, ${WEIGHTS.join(', ')}), search_fts.rowid LIMIT ? OFFSET ?`);
  const inKeywords = db.prepare<[string], { found: number }>(
    'SELECT 1 AS found FROM search_fts WHERE search_fts MATCH ? LIMIT 1',
  );

  const remove = (rowid: number) => {
    deleteFts.run(rowid);
    deleteDoc.run(rowid);
  };
  const add = (entry: Entry) => {
    const rowid = insertDoc.run(entry.id, entry.hash, entry.publishedAt.getTime()).lastInsertRowid;
    insertFts.run(
      rowid,
      indexTerms(entry.title),
      indexTerms(entry.summary),
      indexTerms(entry.keywords.join(' ')),
      indexTerms(entry.body),
    );
  };
  /** `existing` null: known not to be indexed; left out: looked up. */
  const upsert = (
    entry: Entry,
    existing: { rowid: number; hash: string } | null | undefined = docByEntry.get(entry.id),
  ): 'added' | 'updated' | undefined => {
    if (existing?.hash === entry.hash) return undefined;
    if (existing) remove(existing.rowid);
    add(entry);
    return existing ? 'updated' : 'added';
  };

  const apply = writeTransaction(db, (change: EntryChange) => {
    for (const entry of change.upserted) upsert(entry);
    for (const id of change.removed) {
      const existing = docByEntry.get(id);
      if (existing) remove(existing.rowid);
    }
  });
  const syncAll = writeTransaction(db, (entries: Entry[]): SyncCounts => {
    const counts = { added: 0, updated: 0, removed: 0 };
    const wanted = new Set(entries.map((entry) => entry.id));
    // One read of what is indexed, rather than a lookup per entry.
    const indexed = new Map<string, { rowid: number; hash: string }>();
    for (const doc of docs.all()) {
      if (wanted.has(doc.entry_id)) {
        indexed.set(doc.entry_id, doc);
      } else {
        remove(doc.rowid);
        counts.removed++;
      }
    }
    for (const entry of entries) {
      const result = upsert(entry, indexed.get(entry.id) ?? null);
      if (result) counts[result]++;
    }
    return counts;
  });

  return {
    apply: (change) => gate.run(() => apply(change)),
    syncAll: (entries) => gate.run(() => syncAll(entries)),
    async search(text, { limit, offset = 0, now = new Date() }) {
      const phrases = await meaningfulPhrases(queryTermGroups(text), (phrase) =>
        gate.run(() => inKeywords.get(`keywords : ${quote(phrase)}`) !== undefined),
      );
      if (phrases.length === 0) return { ids: [], hasMore: false };
      const match = minimumMatch(phrases.map(quote))
        .map((all) => all.join(' AND '))
        .map((all, _, alternatives) => (alternatives.length > 1 ? `(${all})` : all))
        .join(' OR ');
      const rows = await gate.run(() => query.all(match, now.getTime(), limit + 1, offset));
      const ids = rows.map((row) => row.entry_id);
      return { ids: ids.slice(0, limit), hasMore: ids.length > limit };
    },
  };
}

/** A phrase as an FTS5 string: its tokens hold only letters and digits, so nothing to escape. */
const quote = (phrase: Phrase) => `"${phrase.join(' ')}"`;
