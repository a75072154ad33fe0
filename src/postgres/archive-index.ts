import type { Entry } from '../content/entry.ts';
import type { ArchiveIndex, SyncCounts } from '../search/archive-index.ts';
import { FIELD_WEIGHTS, meaningfulPhrases, minimumMatch } from '../search/query-phrases.ts';
import { entryVector, FIELD_LABELS, phraseQuery, phraseTerms } from '../search/search-vector.ts';
import { queryTermGroups } from '../text/tokenize.ts';
import type { Pg } from './database.ts';

/** The fields' weights in bm25, for A, B, C, D (title, summary, keywords, body): as on SQLite. */
const BM25_WEIGHTS = [
  FIELD_WEIGHTS.title,
  FIELD_WEIGHTS.summary,
  FIELD_WEIGHTS.keywords,
  FIELD_WEIGHTS.body,
];

/** Every instance writing the index takes this lock for the transaction: one at a time. */
const INDEX_LOCK = 0x6f6173726368; // "oasrch"

/**
 * The archive index on PostgreSQL: each entry's terms, from the same tokenizer and stemmer
 * as FTS5's on SQLite, in a weighted tsvector; the same phrases and relevance floor make the
 * tsquery, and the same bm25 as FTS5's (`RANKED`) orders what passed, so both databases give
 * the same entries in the same order.
 */
export function postgresArchiveIndex(pg: Pg): ArchiveIndex {
  const indexed = async () =>
    new Map(
      (
        await pg.query<{ entry_id: string; hash: string }>('SELECT entry_id, hash FROM search_docs')
      ).map((row) => [row.entry_id, row.hash]),
    );
  const locked = <R>(work: () => Promise<R>) =>
    pg.transaction(async () => {
      await pg.query('SELECT pg_advisory_xact_lock($1)', [INDEX_LOCK]);
      return work();
    });
  const inKeywords = async (terms: string[]) =>
    (
      await pg.query('SELECT 1 FROM search_docs WHERE terms @@ $1::tsquery LIMIT 1', [
        phraseQuery(terms, FIELD_LABELS.keywords),
      ])
    ).length > 0;

  return {
    apply: (change) =>
      locked(async () => {
        const hashes = await indexed();
        const changed = change.upserted.filter((entry) => hashes.get(entry.id) !== entry.hash);
        const gone = change.removed.filter((id) => hashes.has(id));
        await writeDocs(pg, [...gone, ...changed.map((entry) => entry.id)], changed);
      }),
    syncAll: (entries) =>
      locked(async (): Promise<SyncCounts> => {
        const hashes = await indexed();
        const wanted = new Set(entries.map((entry) => entry.id));
        const removed = [...hashes.keys()].filter((id) => !wanted.has(id));
        const changed = entries.filter((entry) => hashes.get(entry.id) !== entry.hash);
        const updated = changed.filter((entry) => hashes.has(entry.id)).length;
        await writeDocs(pg, [...removed, ...changed.map((entry) => entry.id)], changed);
        return { added: changed.length - updated, updated, removed: removed.length };
      }),
    async search(text, { limit, offset = 0, now = new Date() }) {
      const phrases = (
        await meaningfulPhrases(queryTermGroups(text), async (phrase) => {
          const terms = phraseTerms(phrase);
          return terms.length > 0 && inKeywords(terms);
        })
      )
        .map(phraseTerms)
        .filter((terms) => terms.length > 0);
      if (phrases.length === 0) return { ids: [], hasMore: false };
      const match = minimumMatch(phrases.map((terms) => `(${phraseQuery(terms)})`))
        .map((all) => `(${all.join(' & ')})`)
        .join(' | ');
      const rows = await pg.query<{ entry_id: string }>(RANKED, [
        match,
        now.getTime(),
        limit + 1,
        offset,
        phrases.map((terms) => phraseQuery(terms)),
        phrases.map((terms) => terms.join(' ')),
        BM25_WEIGHTS,
        phrases.length,
      ]);
      const ids = rows.map((row) => row.entry_id);
      return { ids: ids.slice(0, limit), hasMore: ids.length > limit };
    },
  };
}

/** Deletes `ids`, then indexes `entries` (in their order: ties rank by it, as on SQLite). */
async function writeDocs(pg: Pg, ids: string[], entries: Entry[]): Promise<void> {
  if (ids.length) await pg.query('DELETE FROM search_docs WHERE entry_id = ANY($1)', [ids]);
  if (entries.length === 0) return;
  const vectors = entries.map(entryVector);
  await pg.query(
    `INSERT INTO search_docs (entry_id, hash, published_at, terms, term_count)
     SELECT id, hash, published_at, terms, term_count
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::tsvector[], $5::int[])
       WITH ORDINALITY AS e(id, hash, published_at, terms, term_count, n)
     ORDER BY n`,
    [
      entries.map((e) => e.id),
      entries.map((e) => e.hash),
      entries.map((e) => e.publishedAt.getTime()),
      vectors.map((v) => v.vector),
      vectors.map((v) => v.termCount),
    ],
  );
}

/**
 * The entries that match $1, published by $2 (a future entry is never found, and the pages
 * of "more" count only what may be shown), best first by FTS5's bm25: for each phrase ($5 as
 * tsquery, $6 its terms), idf = ln((N - n + 0.5) / (n + 0.5)) (at least 1e-6) over the N
 * entries, n of which hold it, times f·(k1 + 1) / (f + k1·(1 - b + b·length/average length)),
 * f the phrase's hits weighted by field ($7), k1 = 1.2, b = 0.75. FTS5 scores each phrase
 * once per branch of the relevance floor's OR that matched: an entry with all $8 phrases
 * (more than 2) matches $8 - 1 branches, each holding every phrase but one, so it scores
 * ($8 - 1) times its sum; one missing a phrase matches one branch and scores its sum once.
 * Ties go to the entry indexed first, as on SQLite.
 */
const RANKED = `
  WITH totals AS (
    SELECT count(*) AS docs, coalesce(avg(term_count), 1) AS average FROM search_docs
  ), phrases AS (
    SELECT q.terms, greatest(ln((t.docs - h.hits + 0.5) / (h.hits + 0.5)), 1e-6) AS idf
    FROM unnest($5::text[], $6::text[]) AS q(query, terms), totals AS t,
      LATERAL (SELECT count(*) AS hits FROM search_docs WHERE terms @@ q.query::tsquery) AS h
  )
  SELECT d.entry_id FROM search_docs AS d, totals AS t
  WHERE d.terms @@ $1::tsquery AND d.published_at <= $2
  ORDER BY (
    SELECT sum(p.idf * f.hits * 2.2 / (f.hits + 1.2 * (0.25 + 0.75 * d.term_count / t.average)))
      * CASE WHEN count(*) FILTER (WHERE f.hits > 0) = $8 THEN greatest($8 - 1, 1) ELSE 1 END
    FROM phrases AS p,
      LATERAL (SELECT search_phrase_hits(d.terms, string_to_array(p.terms, ' '), $7) AS hits) AS f
  ) DESC, d.rowid
  LIMIT $3 OFFSET $4`;
