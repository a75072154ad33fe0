/**
 * The search tables on PostgreSQL (the SQLite ones are in src/store/migrations.ts).
 * `search_docs` mirrors SQLite's; where SQLite keeps the text in the FTS5 table `search_fts`,
 * PostgreSQL keeps it beside, as `terms`: a tsvector built from our own tokenizer's terms
 * (weights A title, B summary, C keywords, D body), found through a GIN index, with
 * `term_count`, the entry's length in terms, which bm25 ranks by as FTS5 does.
 *
 * `search_phrase_hits` is the one part of bm25 a tsvector does not give: how often a phrase
 * (its terms in a row) occurs in an entry, each time counted at its field's weight
 * (`weights` for A, B, C, D).
 */
export const SEARCH_SCHEMA = `
CREATE TABLE search_docs (
  rowid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  published_at BIGINT NOT NULL,
  terms TSVECTOR NOT NULL,
  term_count INTEGER NOT NULL
);
CREATE INDEX search_docs_terms ON search_docs USING GIN (terms);

CREATE FUNCTION search_phrase_hits(terms TSVECTOR, phrase TEXT[], weights FLOAT8[])
RETURNS FLOAT8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH at AS (
    SELECT u.lexeme, p.pos, p.weight
    FROM unnest(terms) AS u, unnest(u.positions, u.weights) AS p(pos, weight)
    WHERE u.lexeme = ANY(phrase)
  )
  SELECT coalesce(sum(weights[ascii(first.weight) - ascii('A') + 1]), 0)
  FROM at AS first
  WHERE first.lexeme = phrase[1]
    AND NOT EXISTS (
      SELECT 1 FROM generate_series(2, cardinality(phrase)) AS j
      WHERE NOT EXISTS (
        SELECT 1 FROM at WHERE at.lexeme = phrase[j] AND at.pos = first.pos + j - 1
      )
    )
$$;
`;
