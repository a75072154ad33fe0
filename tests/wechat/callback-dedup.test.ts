import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/postgres/database.ts';
import { postgresStorage, sqliteStorage, type Storage } from '../../src/store/storage.ts';
import { createWriteBehind, type WriteBehind } from '../../src/store/write-behind.ts';
import { createCallbackDedup, type CallbackDedup } from '../../src/wechat/callback-dedup.ts';
import { DATABASES, openTestPostgres, type DatabaseKind } from '../helpers/postgres.ts';

const HOUR_MS = 3600_000;
const START = Date.parse('2026-11-23T08:00:00Z');

/**
 * Two instances of the service on one database: two SQLite connections to one file, or
 * two PostgreSQL pools on one schema. The second is closed first (the first drops the schema).
 */
async function openTwoInstances(kind: DatabaseKind, dir: string): Promise<[Storage, Storage]> {
  if (kind === 'sqlite') {
    const file = join(dir, 'oasim.db');
    return [sqliteStorage(file), sqliteStorage(file)];
  }
  const first = await openTestPostgres();
  const second = await openPostgres({ url: first.url, schema: first.schema, migrate: false });
  return [postgresStorage(first), postgresStorage(second)];
}

describe.each(DATABASES)('answered callbacks on %s', (kind) => {
  let dir: string;
  let first: Storage;
  let second: Storage;
  /** SQLite's queue for the first instance's records (PostgreSQL writes them at once). */
  let writes: WriteBehind | undefined;
  /** What the platform's retry, seconds later, meets: the first instance's queue written. */
  const retryLater = () => writes?.flush();
  const dedup = (storage: Storage, options: { keepMs?: number } = {}): CallbackDedup =>
    createCallbackDedup(storage, { ...options, writes: storage === first ? writes : undefined });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-dedup-'));
    [first, second] = await openTwoInstances(kind, dir);
    writes =
      first.kind === 'sqlite' ? createWriteBehind(first.gate.db, { flushMs: 60_000 }) : undefined;
  });
  afterEach(async () => {
    await writes?.close();
    await second.close();
    await first.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a retry at another instance find the answer of the first try', async () => {
    const here = dedup(first);
    const there = dedup(second);
    await here.record('m:1', { state: 'replied', reply: '<xml>one</xml>' }, new Date(START));
    await here.record('m:2', { state: 'deferred' }, new Date(START));
    expect(await here.seen('m:1')).toEqual({ state: 'replied', reply: '<xml>one</xml>' });
    retryLater();
    expect(await there.seen('m:1')).toEqual({ state: 'replied', reply: '<xml>one</xml>' });
    expect(await there.seen('m:2')).toEqual({ state: 'deferred' });
    expect(await there.seen('m:3')).toBeUndefined();
  });

  it('keeps the first record when two instances answer the same callback', async () => {
    await dedup(first).record('m:1', { state: 'replied', reply: 'a' }, new Date(START));
    retryLater();
    await dedup(second).record('m:1', { state: 'replied', reply: 'b' }, new Date(START));
    expect(await dedup(second).seen('m:1')).toEqual({ state: 'replied', reply: 'a' });
    expect(await createCallbackDedup(first).seen('m:1')).toEqual({ state: 'replied', reply: 'a' });
  });

  it('forgets answers older than it keeps them', async () => {
    const here = dedup(first, { keepMs: HOUR_MS });
    await here.record('m:old', { state: 'replied', reply: undefined }, new Date(START));
    retryLater();
    await here.record(
      'm:new',
      { state: 'replied', reply: undefined },
      new Date(START + 2 * HOUR_MS),
    );
    retryLater();
    expect(await here.seen('m:old')).toBeUndefined();
    expect(await here.seen('m:new')).toEqual({ state: 'replied', reply: undefined });
  });
});

describe('answered callbacks on SQLite, before the queue is written', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-dedup-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('knows an answer at once in its own process, and in a second instance once written', async () => {
    const file = join(dir, 'oasim.db');
    const [one, two] = [sqliteStorage(file), sqliteStorage(file)];
    if (one.kind !== 'sqlite') throw new Error('unreachable');
    const writes = createWriteBehind(one.gate.db, { flushMs: 60_000 });
    const here = createCallbackDedup(one, { writes });
    const there = createCallbackDedup(two);
    await here.record('m:1', { state: 'replied', reply: '<xml>one</xml>' }, new Date());
    expect(await here.seen('m:1')).toEqual({ state: 'replied', reply: '<xml>one</xml>' });
    expect(await there.seen('m:1')).toBeUndefined();
    writes.flush();
    expect(await there.seen('m:1')).toEqual({ state: 'replied', reply: '<xml>one</xml>' });
    await writes.close();
    await two.close();
    await one.close();
  });
});
