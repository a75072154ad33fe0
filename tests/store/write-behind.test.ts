import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { createWriteBehind } from '../../src/store/write-behind.ts';
import { memoryLogger } from '../helpers/temp-service.ts';

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oasim-writes-'));
  db = openDatabase(join(dir, 'oasim.db'));
  db.exec('CREATE TABLE notes (n INTEGER PRIMARY KEY)');
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const insert = (n: number) => () => void db.prepare('INSERT INTO notes (n) VALUES (?)').run(n);
const notes = () =>
  db
    .prepare<[], { n: number }>('SELECT n FROM notes ORDER BY n')
    .all()
    .map((row) => row.n);

describe('write-behind queue', () => {
  it('holds writes until flush, then runs them all in one transaction', () => {
    const writes = createWriteBehind(db, { flushMs: 60_000 });
    writes.defer(insert(1));
    writes.defer(insert(2));
    expect(notes()).toEqual([]);
    writes.flush();
    expect(notes()).toEqual([1, 2]);

    // One transaction: when a later write fails, the earlier ones of its batch roll back.
    writes.defer(insert(3));
    writes.defer(insert(1));
    expect(() => writes.flush()).toThrow(/UNIQUE/);
    expect(notes()).toEqual([1, 2]);
  });

  it('writes on its own within flushMs, and at once when maxQueue writes wait', async () => {
    const timed = createWriteBehind(db, { flushMs: 5 });
    timed.defer(insert(1));
    await expect.poll(notes).toEqual([1]);

    const full = createWriteBehind(db, { flushMs: 60_000, maxQueue: 3 });
    full.defer(insert(2));
    full.defer(insert(3));
    expect(notes()).toEqual([1]);
    full.defer(insert(4));
    expect(notes()).toEqual([1, 2, 3, 4]);
  });

  it('logs a failed batch with its size and goes on with the next', async () => {
    const { log, lines } = memoryLogger();
    const writes = createWriteBehind(db, { flushMs: 5, log });
    writes.defer(insert(7));
    writes.defer(insert(7));
    await expect
      .poll(() => lines().filter((line) => line.msg === 'queued database writes failed'))
      .toHaveLength(1);
    expect(lines().at(-1)).toMatchObject({ level: 50, writes: 2 });
    expect(notes()).toEqual([]);

    writes.defer(insert(8));
    writes.flush();
    expect(notes()).toEqual([8]);
  });
});
