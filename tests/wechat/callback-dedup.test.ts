import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { createWriteBehind } from '../../src/store/write-behind.ts';
import { createCallbackDedup } from '../../src/wechat/callback-dedup.ts';

const HOUR_MS = 3600_000;
let dir: string;
let first: Db;
let second: Db;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oasim-dedup-'));
  first = openDatabase(join(dir, 'oasim.db'));
  second = openDatabase(join(dir, 'oasim.db'));
});
afterEach(async () => {
  first.close();
  second.close();
  await rm(dir, { recursive: true, force: true });
});

describe('answered callbacks', () => {
  it('knows an answer at once in its own process, and in a second instance once written', () => {
    const writes = createWriteBehind(first, { flushMs: 60_000 });
    const here = createCallbackDedup(first, { writes });
    const there = createCallbackDedup(second);
    here.record('m:1', { state: 'replied', reply: '<xml>one</xml>' }, new Date());
    here.record('m:2', { state: 'deferred' }, new Date());

    expect(here.seen('m:1')).toEqual({ state: 'replied', reply: '<xml>one</xml>' });
    expect(there.seen('m:1')).toBeUndefined();
    writes.flush();
    expect(there.seen('m:1')).toEqual({ state: 'replied', reply: '<xml>one</xml>' });
    expect(there.seen('m:2')).toEqual({ state: 'deferred' });
    expect(here.seen('m:3')).toBeUndefined();
  });

  it('keeps the first record when two instances answer the same callback', () => {
    const one = createWriteBehind(first, { flushMs: 60_000 });
    const two = createWriteBehind(second, { flushMs: 60_000 });
    createCallbackDedup(first, { writes: one }).record(
      'm:1',
      { state: 'replied', reply: 'a' },
      new Date(),
    );
    createCallbackDedup(second, { writes: two }).record(
      'm:1',
      { state: 'replied', reply: 'b' },
      new Date(),
    );
    one.flush();
    two.flush();
    expect(createCallbackDedup(first).seen('m:1')).toEqual({ state: 'replied', reply: 'a' });
  });

  it('forgets answers older than it keeps them', () => {
    const writes = createWriteBehind(first, { flushMs: 60_000 });
    const dedup = createCallbackDedup(first, { writes, keepMs: HOUR_MS });
    const start = Date.parse('2026-11-23T08:00:00Z');
    dedup.record('m:old', { state: 'replied', reply: undefined }, new Date(start));
    writes.flush();
    dedup.record('m:new', { state: 'replied', reply: undefined }, new Date(start + 2 * HOUR_MS));
    writes.flush();
    expect(dedup.seen('m:old')).toBeUndefined();
    expect(dedup.seen('m:new')).toEqual({ state: 'replied', reply: undefined });
  });
});
