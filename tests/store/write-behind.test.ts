import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { createWriteBehind, type WriteBehind } from '../../src/store/write-behind.ts';
import { startWriteThread } from '../../src/store/write-thread.ts';
import { memoryLogger } from '../helpers/temp-service.ts';

let dir: string;
let file: string;
let db: Db;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oasim-writes-'));
  file = join(dir, 'oasim.db');
  db = openDatabase(file);
  db.exec('CREATE TABLE notes (n INTEGER PRIMARY KEY)');
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const INSERT = 'INSERT INTO notes (n) VALUES (?)';
const notes = () =>
  db
    .prepare<[], { n: number }>('SELECT n FROM notes ORDER BY n')
    .all()
    .map((row) => row.n);
const failures = (lines: () => Record<string, unknown>[]) =>
  lines().filter((line) => line.msg === 'queued database writes failed');

/** The same behaviour on this thread and on a writer thread. */
const kinds: [string, (options: Parameters<typeof createWriteBehind>[1]) => WriteBehind][] = [
  ['on this thread', (options) => createWriteBehind(db, options)],
  [
    'on a writer thread',
    (options) => startWriteThread(db, file, { log: memoryLogger().log, ...options }),
  ],
];

describe.each(kinds)('write-behind queue %s', (_kind, start) => {
  it('holds writes until flush, then commits them in one transaction and calls back', async () => {
    const writes = start({ flushMs: 60_000 });
    const written: number[] = [];
    writes.defer(INSERT, [1], () => written.push(1));
    writes.defer(INSERT, [2], () => written.push(2));
    expect(notes()).toEqual([]);
    writes.flush();
    expect(notes()).toEqual([1, 2]);
    expect(written).toEqual([1, 2]);
    await writes.close();
  });

  it('writes on its own within flushMs, and at once when maxQueue writes wait', async () => {
    const timed = start({ flushMs: 5 });
    timed.defer(INSERT, [1]);
    await expect.poll(notes).toEqual([1]);
    await timed.close();

    const full = start({ flushMs: 60_000, maxQueue: 3 });
    const written: number[] = [];
    full.defer(INSERT, [2]);
    full.defer(INSERT, [3]);
    full.defer(INSERT, [4], () => written.push(4));
    await expect.poll(notes).toEqual([1, 2, 3, 4]);
    await expect.poll(() => written).toEqual([4]);
    await full.close();
  });

  it('logs a failed batch with its size, rolls it back whole, and goes on with the next', async () => {
    const { log, lines } = memoryLogger();
    const writes = start({ flushMs: 5, log });
    const written: string[] = [];
    writes.defer(INSERT, [7]);
    writes.defer(INSERT, [7], () => written.push('failed batch'));
    await expect.poll(() => failures(lines)).toHaveLength(1);
    expect(failures(lines)[0]).toMatchObject({ level: 50, writes: 2 });
    expect(written).toEqual(['failed batch']);
    expect(notes()).toEqual([]);

    writes.defer(INSERT, [8]);
    writes.flush();
    expect(notes()).toEqual([8]);
    await writes.close();
  });
});

describe('write-behind queue on a writer thread', () => {
  it('writes on this thread when the writer thread cannot run, and says so', async () => {
    const { log, lines } = memoryLogger();
    // The database file as a folder: the thread fails to open its connection and ends.
    const writes = startWriteThread(db, join(file, 'oasim.db'), { log, flushMs: 60_000 });
    await expect
      .poll(() => lines().map((line) => line.msg))
      .toContain('database writer thread ended; writing on the main thread');
    const written: number[] = [];
    writes.defer(INSERT, [1], () => written.push(1));
    writes.flush();
    expect(notes()).toEqual([1]);
    expect(written).toEqual([1]);
    await writes.close();
  });
});
