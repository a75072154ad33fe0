/**
 * Schema migrations, applied in order at start; `PRAGMA user_version` records how many
 * ran. Append only: a released migration is never edited.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE subscribers (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'unsubscribed', 'blocked')),
    topics TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
  ) WITHOUT ROWID;

  CREATE TABLE conversation_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body TEXT NOT NULL
  );
  CREATE INDEX conversation_log_user ON conversation_log (channel, user_id, id);

  CREATE TABLE unanswered (
    query TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    sample TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    reply TEXT NOT NULL
  );
  CREATE INDEX inbox_user ON inbox (channel, user_id, id);

  CREATE TABLE sessions (
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    last_query TEXT,
    next_offset INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, user_id)
  ) WITHOUT ROWID;

  CREATE TABLE search_docs (
    rowid INTEGER PRIMARY KEY,
    entry_id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    published_at INTEGER NOT NULL
  );
  CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, summary, keywords, body,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  `,
  // WeChat callbacks already answered (issue 3): the platform retries a message it has no
  // answer to within 5 s, 3 tries in all; a retry gets the reply the first try rendered.
  `
  CREATE TABLE wechat_callbacks (
    key TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('replied', 'deferred')),
    reply TEXT
  ) WITHOUT ROWID;
  CREATE INDEX wechat_callbacks_received ON wechat_callbacks (received_at);
  `,
];
