import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { createSqliteGate, type SqliteGate } from '../../src/store/sqlite-gate.ts';

let dir: string;
let db: Db;
let gate: SqliteGate;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const names = () =>
  db
    .prepare<[], { user_id: string }>('SELECT user_id FROM subscribers ORDER BY user_id')
    .all()
    .map((r) => r.user_id);
const insert = (user: string) =>
  db
    .prepare(
      "INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at) VALUES ('t', ?, 'active', '[]', 0, 0)",
    )
    .run(user);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oasim-gate-'));
  db = openDatabase(join(dir, 'oasim.db'));
  gate = createSqliteGate(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite gate', () => {
  it('keeps another task out of an open transaction: a rollback takes only its own writes', async () => {
    // Another task (begun outside the transaction, as a request would be) writes while the
    // transaction awaits.
    let start!: () => void;
    const outside = new Promise<void>((resolve) => (start = resolve)).then(() =>
      gate.run(() => insert('outside')),
    );
    const failing = gate.transaction(async () => {
      await gate.run(() => insert('inside'));
      start();
      await tick();
      expect(names()).toEqual(['inside']);
      throw new Error('changed my mind');
    });
    await expect(failing).rejects.toThrow('changed my mind');
    await outside;
    expect(names()).toEqual(['outside']);
  });

  it('runs transactions one after another, and a nested one joins the open one', async () => {
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        gate.transaction(async () => {
          order.push(`${name} begins`);
          await tick();
          await gate.transaction(async () => void (await gate.run(() => insert(name))));
          order.push(`${name} ends`);
        }),
      ),
    );
    expect(order).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    expect(names()).toEqual(['a', 'b', 'c']);
    expect(db.inTransaction).toBe(false);
  });

  it('lets operations through at once when no transaction is open', async () => {
    await gate.run(() => insert('x'));
    expect(names()).toEqual(['x']);
  });
});
