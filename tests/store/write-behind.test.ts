import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { createWriteBehind, type WriteBehind } from '../../src/store/write-behind.ts';
import { startWriteThread } from '../../src/store/write-thread.ts';
import { sqliteConversationStore } from '../../src/store/conversations.ts';
import { createSqliteGate } from '../../src/store/sqlite-gate.ts';
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
const rowFailures = (lines: () => Record<string, unknown>[]) =>
  lines().filter(
    (line) => line.msg === 'a queued database write failed; the rest of its batch is committed',
  );
/** A time every store column takes. */
const GOOD_TIME_MS = Date.UTC(2024, 0, 2, 3, 4, 5);

/** The same behaviour on this thread and on a writer thread. */
const kinds: [
  string,
  (options: Parameters<typeof createWriteBehind>[1]) => WriteBehind | Promise<WriteBehind>,
][] = [
  ['on this thread', (options) => createWriteBehind(db, options)],
  [
    'on a writer thread',
    (options) => startWriteThread(db, file, { log: memoryLogger().log, ...options }),
  ],
];

describe.each(kinds)('write-behind queue %s', (_kind, start) => {
  it('holds writes until flush, then commits them in one transaction and calls back', async () => {
    const writes = await start({ flushMs: 60_000 });
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
    const timed = await start({ flushMs: 5 });
    timed.defer(INSERT, [1]);
    await expect.poll(notes).toEqual([1]);
    await timed.close();

    const full = await start({ flushMs: 60_000, maxQueue: 3 });
    const written: number[] = [];
    full.defer(INSERT, [2]);
    full.defer(INSERT, [3]);
    full.defer(INSERT, [4], () => written.push(4));
    await expect.poll(notes).toEqual([1, 2, 3, 4]);
    await expect.poll(() => written).toEqual([4]);
    await full.close();
  });

  it('commits the good rows of a batch that holds a bad one, and logs the bad one by kind', async () => {
    const { log, lines } = memoryLogger();
    const writes = await start({ flushMs: 60_000, log });
    const written: string[] = [];
    writes.defer(INSERT, [1]);
    writes.defer(INSERT, [1], () => written.push('duplicate'));
    writes.defer(INSERT, [2]);
    writes.defer(INSERT, ['not a number'], () => written.push('wrong type'));
    writes.defer(INSERT, [3]);
    writes.flush();
    expect(notes()).toEqual([1, 2, 3]);
    expect(written).toEqual(['duplicate', 'wrong type']);
    await expect.poll(() => rowFailures(lines)).toHaveLength(2);
    expect(rowFailures(lines)).toEqual([
      expect.objectContaining({
        level: 50,
        kind: 'INSERT INTO notes',
        reason: expect.stringContaining('UNIQUE'),
      }),
      expect.objectContaining({
        level: 50,
        kind: 'INSERT INTO notes',
        reason: expect.stringContaining('datatype mismatch'),
      }),
    ]);
    expect(JSON.stringify(lines())).not.toContain('not a number');

    writes.defer(INSERT, [8]);
    writes.flush();
    expect(notes()).toEqual([1, 2, 3, 8]);
    await writes.close();
  });

  it("keeps every user's conversation rows when one user's turn has an invalid date", async () => {
    const { log, lines } = memoryLogger();
    const writes = await start({ flushMs: 60_000, log });
    const conversations = sqliteConversationStore(createSqliteGate(db), { writes });
    const at = new Date(GOOD_TIME_MS);
    for (const [user, time] of [
      ['alice', at],
      ['bob', new Date(Number.NaN)],
      ['carol', at],
      ['dave', new Date(8.64e15 + 1)],
      ['erin', at],
    ] as const)
      await conversations.record(
        { channel: 'wechat', user, time, kind: 'text', text: `hi from ${user}` },
        [{ type: 'text', text: `hello ${user}` }],
        false,
      );
    await conversations.flush();
    const users = db
      .prepare<[], { user_id: string; direction: string }>(
        'SELECT user_id, direction FROM conversation_log ORDER BY id',
      )
      .all()
      .map((row) => `${row.user_id} ${row.direction}`);
    expect(users).toEqual([
      'alice in',
      'alice out',
      'carol in',
      'carol out',
      'erin in',
      'erin out',
    ]);
    expect((await conversations.unanswered()).map((row) => row.query)).toEqual(
      expect.arrayContaining(['hi from alice', 'hi from carol', 'hi from erin']),
    );
    await expect.poll(() => rowFailures(lines).length).toBeGreaterThanOrEqual(4);
    for (const failure of rowFailures(lines))
      expect(failure.kind).toMatch(/^INSERT INTO (conversation_log|unanswered)$/);
    await writes.close();
  });
});

describe('write-behind queue on a writer thread', () => {
  it('closes cleanly while the thread is still starting, with what was queued committed', async () => {
    // Stopping the thread while it loads the SQLite addon once aborted the whole process.
    for (let i = 0; i < 5; i++) {
      const { log, lines } = memoryLogger();
      const writes = startWriteThread(db, file, { log, flushMs: 60_000 });
      writes.defer(INSERT, [i]);
      await writes.close();
      expect(lines().filter((line) => Number(line.level) >= 50)).toEqual([]);
    }
    expect(notes()).toEqual([0, 1, 2, 3, 4]);
  });

  it('writes on this thread when the writer thread cannot run, says so, and still keeps the good rows of a bad batch', async () => {
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

    writes.defer(INSERT, [2]);
    writes.defer(INSERT, [1]);
    writes.defer(INSERT, [3]);
    writes.flush();
    expect(notes()).toEqual([1, 2, 3]);
    expect(rowFailures(lines)).toEqual([
      expect.objectContaining({
        kind: 'INSERT INTO notes',
        reason: expect.stringContaining('UNIQUE'),
      }),
    ]);
    await writes.close();
  });
});
