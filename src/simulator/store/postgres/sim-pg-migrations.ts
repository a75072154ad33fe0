/**
 * The simulator's tables on PostgreSQL, one migration a step, recorded in
 * `sim_schema_version`: the same `sim_` and `platform_` tables as its SQLite file. OpenIDs
 * sort bytewise (COLLATE "C"), as on SQLite: the follower list and mass sends page by them.
 */
export const SIM_PG_MIGRATIONS: string[] = [
  `CREATE TABLE sim_users (
     openid TEXT COLLATE "C" PRIMARY KEY,
     nickname TEXT NOT NULL,
     language TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '[]',
     subscribed BOOLEAN NOT NULL DEFAULT false,
     subscribe_time BIGINT,
     subscribe_scene TEXT,
     qr_scene TEXT,
     last_message_at BIGINT,
     last_event_at BIGINT,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX sim_users_followers ON sim_users (openid) WHERE subscribed;
   CREATE TABLE sim_timeline (
     id BIGSERIAL PRIMARY KEY,
     openid TEXT NOT NULL,
     at BIGINT NOT NULL,
     source TEXT NOT NULL,
     body TEXT NOT NULL,
     record TEXT,
     record_of BIGINT
   );
   CREATE INDEX sim_timeline_user ON sim_timeline (openid, id);
   CREATE TABLE platform_access_tokens (
     digest TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     issued_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     replaced_at BIGINT
   );
   CREATE INDEX platform_access_tokens_kind ON platform_access_tokens (kind, issued_at);
   CREATE TABLE platform_quota (
     api TEXT NOT NULL,
     period TEXT NOT NULL,
     calls INTEGER NOT NULL,
     PRIMARY KEY (api, period)
   );
   CREATE TABLE platform_menu (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     buttons TEXT NOT NULL,
     published_at BIGINT NOT NULL
   );
   CREATE TABLE platform_tags (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE
   );
   CREATE TABLE platform_tag_members (
     tag_id INTEGER NOT NULL,
     openid TEXT COLLATE "C" NOT NULL,
     PRIMARY KEY (tag_id, openid)
   );
   CREATE INDEX platform_tag_members_openid ON platform_tag_members (openid);
   CREATE TABLE platform_media (
     media_id TEXT PRIMARY KEY,
     articles TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE platform_material (
     media_id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE platform_custom_sends (
     openid TEXT NOT NULL,
     at BIGINT NOT NULL
   );
   CREATE INDEX platform_custom_sends_user ON platform_custom_sends (openid, at);
   CREATE TABLE platform_mass_jobs (
     msg_id BIGINT PRIMARY KEY,
     msg_data_id BIGINT,
     api TEXT NOT NULL,
     target TEXT NOT NULL,
     message TEXT NOT NULL,
     clientmsgid TEXT,
     status TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     rate INTEGER NOT NULL,
     cursor TEXT,
     done INTEGER NOT NULL DEFAULT 0,
     sent INTEGER NOT NULL DEFAULT 0,
     errors INTEGER NOT NULL DEFAULT 0,
     filtered_out INTEGER NOT NULL DEFAULT 0,
     finished_at BIGINT
   );
   CREATE INDEX platform_mass_jobs_client ON platform_mass_jobs (clientmsgid, created_at);
   CREATE INDEX platform_mass_jobs_created ON platform_mass_jobs (created_at);
   CREATE TABLE platform_mass_receipts (
     openid TEXT NOT NULL,
     month TEXT NOT NULL,
     received INTEGER NOT NULL,
     PRIMARY KEY (openid, month)
   );
   CREATE TABLE platform_settings (
     key TEXT PRIMARY KEY,
     value BIGINT NOT NULL
   );
   CREATE TABLE platform_calls (
     id BIGSERIAL PRIMARY KEY,
     at TEXT NOT NULL,
     api TEXT NOT NULL,
     method TEXT NOT NULL,
     errcode INTEGER NOT NULL,
     reason TEXT,
     token TEXT,
     request TEXT,
     answer TEXT
   );`,
];
