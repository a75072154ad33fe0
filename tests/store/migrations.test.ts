import { Database } from '../../src/sqlite/driver.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oasim-migrate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('schema migrations', () => {
  it('moves answered WeChat callbacks into a rowid table and keeps every record', () => {
    const file = join(dir, 'oasim.db');
    // A database as the first release of the WeChat channel left it (schema version 3).
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, 3)) old.exec(migration);
    old.pragma('user_version = 3');
    old
      .prepare('INSERT INTO wechat_callbacks (key, received_at, state, reply) VALUES (?, ?, ?, ?)')
      .run('m:42', 1_700_000_000_000, 'replied', '<xml>hi</xml>');
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT key, received_at, state, reply FROM wechat_callbacks').all()).toEqual(
      [{ key: 'm:42', received_at: 1_700_000_000_000, state: 'replied', reply: '<xml>hi</xml>' }],
    );
    const table = db
      .prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'wechat_callbacks'")
      .get();
    expect(table?.sql).not.toMatch(/WITHOUT ROWID/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO wechat_callbacks (key, received_at, state) VALUES ('m:42', 1, 'deferred')",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    db.close();
  });
});
