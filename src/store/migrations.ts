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
  // Issue 4: scheduled broadcasts (the outbox), subscriber preferences, idempotent inbox.
  `
  ALTER TABLE subscribers ADD COLUMN time_zone TEXT;
  ALTER TABLE subscribers ADD COLUMN quiet_start INTEGER;
  ALTER TABLE subscribers ADD COLUMN quiet_end INTEGER;
  ALTER TABLE subscribers ADD COLUMN digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily'));
  ALTER TABLE subscribers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;

  ALTER TABLE inbox ADD COLUMN delivery_id INTEGER;
  -- A broadcast's reply is stored once, on the broadcast; its inbox items point to it.
  ALTER TABLE inbox ADD COLUMN broadcast_id INTEGER;
  CREATE UNIQUE INDEX inbox_delivery ON inbox (delivery_id) WHERE delivery_id IS NOT NULL;

  CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    last_tick_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'manual', 'preview', 'digest')),
    schedule TEXT,
    tick_at INTEGER,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL
      CHECK (status IN ('sending', 'done', 'cancelled', 'refused', 'empty', 'missed')),
    reason TEXT,
    entry_ids TEXT NOT NULL DEFAULT '[]',
    reply TEXT,
    total INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0,
    filtered INTEGER NOT NULL DEFAULT 0,
    -- A broadcast's deliveries are written by one statement: one contiguous range of ids.
    first_delivery INTEGER,
    last_delivery INTEGER,
    finished_at INTEGER,
    UNIQUE (schedule, tick_at)
  );
  CREATE INDEX broadcasts_created ON broadcasts (created_at);

  CREATE TABLE broadcast_entries (
    entry_id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX broadcast_entries_hash ON broadcast_entries (hash);
  CREATE INDEX broadcast_entries_at ON broadcast_entries (at);

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- pending | claimed | sent | failed | skipped | cancelled. No CHECK: it doubled the cost
    -- of writing a million deliveries, and only the outbox and the dispatcher write them.
    status TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0,
    -- Set when claimed: names the claiming process and the batch (the idempotency key).
    batch_key TEXT,
    error TEXT,
    settled_at INTEGER
  );
  -- No unique index on (broadcast, channel, user): the deliveries of a broadcast come from
  -- one INSERT ... SELECT over the subscribers' primary key, unique by construction, and
  -- such an index would triple the cost of writing a broadcast to a million subscribers.
  -- The dispatcher's queues: small partial indexes, so settled deliveries cost nothing.
  CREATE INDEX deliveries_pending ON deliveries (channel, due_at) WHERE status = 'pending';
  CREATE INDEX deliveries_claimed ON deliveries (channel, due_at) WHERE status = 'claimed';

  CREATE TABLE send_batches (
    batch_key TEXT PRIMARY KEY,
    broadcast_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    msg_id TEXT,
    recipients INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    report TEXT
  ) WITHOUT ROWID;
  CREATE INDEX send_batches_msg ON send_batches (msg_id) WHERE msg_id IS NOT NULL;
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
  // The recorded reply is near 1 KiB: in a WITHOUT ROWID table a row that size spills into
  // an overflow page of its own (more than a page written per callback). A rowid table
  // keeps several to a page and finds a key through its small unique index.
  `
  CREATE TABLE wechat_callbacks_next (
    key TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('replied', 'deferred')),
    reply TEXT
  );
  INSERT INTO wechat_callbacks_next (key, received_at, state, reply)
    SELECT key, received_at, state, reply FROM wechat_callbacks;
  DROP TABLE wechat_callbacks;
  ALTER TABLE wechat_callbacks_next RENAME TO wechat_callbacks;
  CREATE INDEX wechat_callbacks_received ON wechat_callbacks (received_at);
  `,
  // Issue 9: a broadcast's report says why deliveries were skipped and which channel the
  // platform refused; a delivery knows which of the broadcast's entries it carries (its
  // recipient's topics), and each such set has its reply.
  `
  ALTER TABLE broadcasts ADD COLUMN skip_reasons TEXT;
  ALTER TABLE broadcasts ADD COLUMN channel_errors TEXT;
  -- 0: every entry of the broadcast (its own reply); otherwise a bit per entry, in order.
  ALTER TABLE deliveries ADD COLUMN entry_set INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE broadcast_replies (
    broadcast_id INTEGER NOT NULL,
    entry_set INTEGER NOT NULL,
    entry_ids TEXT NOT NULL,
    reply TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, entry_set)
  );
  `,
  // Issue 11: the console counts each keyword rule's hits, by the hour (the pages fold
  // hours into days in the account's zone).
  `
  CREATE TABLE rule_hits (
    rule TEXT NOT NULL,
    hour INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (rule, hour)
  ) WITHOUT ROWID;
  `,
];
