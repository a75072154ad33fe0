import type { Entry } from '../content/entry.ts';
import type { EntryChange } from '../content/library.ts';
import { writeTransaction, type Db } from '../store/database.ts';
import { indexTerms, queryTermGroups } from '../text/tokenize.ts';

/** Full-text search over the archive. */
export interface ArchiveSearch {
  /** Entry ids, best first; `hasMore` tells whether another page exists. */
  search(
    query: string,
    page: { limit: number; offset?: number },
  ): { ids: string[]; hasMore: boolean };
}

export interface ArchiveIndex extends ArchiveSearch {
  /** Brings the index in step with a change of the library; unchanged entries are not touched. */
  apply(change: EntryChange): void;
  /** Makes the index hold exactly `entries` (at start: only what changed since the last run is re-indexed). */
  syncAll(entries: Entry[]): { added: number; updated: number; removed: number };
}

/** What FTS5's unicode61 tokenizer keeps as one token. */
const FTS_TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

const COMMON_SHARE = 0.02;
const COMMON_MIN_DOCS = 1000;

/** Column weights for bm25: a word in the title counts most, then keywords, summary, body. */
const WEIGHTS = [10, 4, 6, 1] as const;

/**
 * The archive index in SQLite FTS5, kept in the database file, so a restart re-indexes
 * only files that changed. Text is turned into index terms by our own tokenizer
 * (`indexTerms`): FTS5's unicode61 then only splits on the spaces between them.
 */
export function createArchiveIndex(db: Db): ArchiveIndex {
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
  // bm25 is computed for every match, so the join to entry ids is made only for the page.
  const query = db.prepare<[string, number, number], { entry_id: string }>(`
    SELECT d.entry_id FROM (
      SELECT rowid, bm25(search_fts, ${WEIGHTS.join(', ')}) AS score FROM search_fts
      WHERE search_fts MATCH ? ORDER BY score, rowid LIMIT ? OFFSET ?
    ) AS r JOIN search_docs d ON d.rowid = r.rowid
    ORDER BY r.score, r.rowid`);
  const exists = db.prepare<[string], { found: number }>(
    'SELECT 1 AS found FROM search_fts WHERE search_fts MATCH ? LIMIT 1',
  );

  const countUpTo = db.prepare<[string, number], { n: number }>(
    'SELECT count(*) AS n FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)',
  );
  const docCount = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM search_docs');
  let commonAbove = 0;
  const refreshCounts = () => {
    commonAbove = Math.max(COMMON_MIN_DOCS, Math.round(docCount.get()!.n * COMMON_SHARE));
  };

  /**
   * The OR of the query's words. bm25 must score every entry that has any of them, so in
   * a large archive a word found in more than 2% of entries (and 1,000 at least) would make
   * one query rank tens of thousands of rows while adding almost nothing to the ranking;
   * such words are left out when the query has rarer ones (Lucene's "common terms" idea).
   */
  const anyOf = (phrases: string[]) => {
    const rare = phrases.filter(
      (phrase) => countUpTo.get(phrase, commonAbove + 1)!.n <= commonAbove,
    );
    return (rare.length > 0 ? rare : phrases).join(' OR ');
  };

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

  const runQuery = (match: string, limit: number, offset: number) =>
    query.all(match, limit + 1, offset).map((row) => row.entry_id);

  return {
    apply: writeTransaction(db, (change: EntryChange) => {
      for (const entry of change.upserted) upsert(entry);
      for (const id of change.removed) {
        const existing = docByEntry.get(id);
        if (existing) remove(existing.rowid);
      }
      refreshCounts();
    }),
    syncAll: writeTransaction(db, (entries: Entry[]) => {
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
      refreshCounts();
      return counts;
    }),
    search(text, { limit, offset = 0 }) {
      // A word is the phrase of its terms: a Chinese word's bigrams in a row, or the parts
      // FTS5 splits a Latin word into ("don't"). Quoting makes FTS5 operators plain words.
      const phrases = queryTermGroups(text)
        .slice(0, 16)
        .map((group) => group.flatMap((term) => term.match(FTS_TOKEN) ?? []))
        .filter((terms) => terms.length > 0)
        .map((terms) => `"${terms.join(' ')}"`);
      if (phrases.length === 0) return { ids: [], hasMore: false };
      // Entries with every word when there are any; otherwise any word, still ranked by bm25.
      const all = phrases.join(' AND ');
      let ids = runQuery(all, limit, offset);
      if (ids.length === 0 && phrases.length > 1 && (offset === 0 || !exists.get(all))) {
        ids = runQuery(anyOf(phrases), limit, offset);
      }
      return { ids: ids.slice(0, limit), hasMore: ids.length > limit };
    },
  };
}
