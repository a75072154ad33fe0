import type { Entry } from '../content/entry.ts';
import type { EntryChange } from '../content/library.ts';
import { writeTransaction, type Db } from '../store/database.ts';
import { indexTerms, queryTermGroups, type QueryGroup } from '../text/tokenize.ts';

/** Full-text search over the archive. */
export interface ArchiveSearch {
  /**
   * Ids of the entries published at `now` (the current time when left out) that match,
   * best first; `hasMore` tells whether another page exists.
   */
  search(
    query: string,
    page: { limit: number; offset?: number; now?: Date },
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

/** Words a query is cut to: a longer message is a paste, not a question. */
const MAX_QUERY_WORDS = 16;

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
  // Only entries published by `now` are ranked: a future entry is never found, and the
  // pages of "more" count only what may be shown.
  const query = db.prepare<[string, number, number, number], { entry_id: string }>(`
    SELECT d.entry_id FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
    WHERE search_fts MATCH ? AND d.published_at <= ?
    ORDER BY bm25(search_fts, ${WEIGHTS.join(', ')}), search_fts.rowid LIMIT ? OFFSET ?`);
  const inKeywords = db.prepare<[string], { found: number }>(
    'SELECT 1 AS found FROM search_fts WHERE search_fts MATCH ? LIMIT 1',
  );

  /**
   * The query's phrases that carry meaning. A stop word ("this", "how", "的") is left out,
   * unless an entry lists it among its keywords: the operator's keywords say which words
   * mean something in this archive ("world" is on the stop list, "better world" a keyword).
   */
  const meaningful = (groups: QueryGroup[]) => {
    const phrases = new Set<string>();
    // Stop words are dropped before the query is cut to its first words, so a long
    // question keeps its meaningful words; at most a few keyword look-ups are made.
    for (const group of groups.slice(0, MAX_QUERY_WORDS * 4)) {
      if (phrases.size >= MAX_QUERY_WORDS) break;
      const terms = group.terms.flatMap((term) => term.match(FTS_TOKEN) ?? []);
      if (terms.length === 0) continue;
      const phrase = `"${terms.join(' ')}"`;
      if (group.stop && !inKeywords.get(`keywords : ${phrase}`)) continue;
      phrases.add(phrase);
    }
    return [...phrases];
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

  return {
    apply: writeTransaction(db, (change: EntryChange) => {
      for (const entry of change.upserted) upsert(entry);
      for (const id of change.removed) {
        const existing = docByEntry.get(id);
        if (existing) remove(existing.rowid);
      }
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
      return counts;
    }),
    search(text, { limit, offset = 0, now = new Date() }) {
      const phrases = meaningful(queryTermGroups(text));
      if (phrases.length === 0) return { ids: [], hasMore: false };
      const ids = query
        .all(minimumMatch(phrases), now.getTime(), limit + 1, offset)
        .map((row) => row.entry_id);
      return { ids: ids.slice(0, limit), hasMore: ids.length > limit };
    },
  };
}

/**
 * The relevance floor, as an FTS5 expression: an entry is shown only if it has every
 * meaningful word of a short query (one or two words), or all but one of a longer one.
 * A card that shares one word with a question ("parties" in "how do parties talk") is
 * noise, and noise is worse than the default reply, which also tells the editors what was
 * asked. One word may miss in longer questions, as people add words an entry need not
 * have (Lucene's minimum-should-match, at n-1). bm25 then ranks what passed.
 */
function minimumMatch(phrases: string[]): string {
  if (phrases.length <= 2) return phrases.join(' AND ');
  return phrases
    .map((_, skip) => `(${phrases.filter((__, i) => i !== skip).join(' AND ')})`)
    .join(' OR ');
}
