import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../../src/sqlite/driver.ts';
import { openSimDatabase, SIM_DATABASE_FILE } from '../../../src/simulator/store/sim-database.ts';
import { writeBatchOf } from '../../../src/simulator/store/write-batch.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

async function twoConnections() {
  const dir = await mkdtemp(join(tmpdir(), 'oasim-batch-'));
  const db = openSimDatabase(dir);
  const other = new Database(join(dir, SIM_DATABASE_FILE), { readonly: true });
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  cleanup.push(() => void db.close());
  cleanup.push(() => void other.close());
  const insert = db.prepare(
    "INSERT INTO sim_timeline (openid, at, source, body) VALUES (?, 0, 'user', '{}')",
  );
  const count = (conn: typeof db) =>
    conn.prepare('SELECT COUNT(*) FROM sim_timeline').pluck().get() as number;
  return { db, other, insert, count };
}

describe('the write batch', () => {
  it('shows writes to its own connection at once, and commits them all once the turn is over', async () => {
    const { db, other, insert, count } = await twoConnections();
    const batch = writeBatchOf(db);
    batch.run(() => insert.run('a'));
    batch.run(() => insert.run('b'));
    expect(count(db)).toBe(2);
    expect(count(other)).toBe(0);
    await nextTurn();
    expect(db.inTransaction).toBe(false);
    expect(count(other)).toBe(2);
  });

  it('undoes only the work that threw', async () => {
    const { db, other, insert, count } = await twoConnections();
    const batch = writeBatchOf(db);
    batch.run(() => insert.run('kept'));
    expect(() =>
      batch.run(() => {
        insert.run('undone');
        throw new Error('refused');
      }),
    ).toThrow('refused');
    await nextTurn();
    expect(count(other)).toBe(1);
  });

  it('commits at once when flushed, before the database closes', async () => {
    const { db, other, insert, count } = await twoConnections();
    const batch = writeBatchOf(db);
    batch.run(() => insert.run('a'));
    batch.flush();
    expect(count(other)).toBe(1);
  });

  it('rolls back a turn whose commit fails, tells onError, and goes on', async () => {
    const { db, other, insert, count } = await twoConnections();
    // A deferred foreign key is checked at COMMIT: the one way to make a commit itself fail.
    db.exec(`PRAGMA foreign_keys = ON;
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
    const batch = writeBatchOf(db);
    const failures: unknown[] = [];
    batch.onError = (error) => failures.push(error);
    batch.run(() => insert.run('lost'));
    batch.run(() => db.prepare('INSERT INTO child (parent) VALUES (42)').run());
    await nextTurn();
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(count(db)).toBe(0);
    batch.run(() => insert.run('kept'));
    await nextTurn();
    expect(count(other)).toBe(1);
  });
});
