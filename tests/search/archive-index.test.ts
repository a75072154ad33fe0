import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/content/entry.ts';
import { createArchiveIndex } from '../../src/search/archive-index.ts';
import { openDatabase } from '../../src/store/database.ts';
import { makeTempDir } from '../helpers/temp-service.ts';

const entry = (id: string, fields: Partial<Entry>): Entry => ({
  id,
  title: '',
  date: '2020-01-01',
  publishedAt: new Date('2020-01-01'),
  summary: '',
  keywords: [],
  topics: [],
  body: '',
  hash: JSON.stringify(fields),
  ...fields,
});

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function tempDb() {
  dir = (await makeTempDir()).dir;
  return join(dir, 'data', 'index.db');
}

describe('archive index', () => {
  it('ranks a title match above a body match and stems English words', async () => {
    const index = createArchiveIndex(openDatabase(await tempDb()));
    index.syncAll([
      entry('body', { body: 'a long text that mentions exchanges once' }),
      entry('title', { title: 'Exchange programmes' }),
    ]);
    expect(index.search('exchanges', { limit: 5 }).ids).toEqual(['title', 'body']);
  });

  it('finds Chinese words inside unspaced text, even ones the segmenter splits', async () => {
    const index = createArchiveIndex(openDatabase(await tempDb()));
    index.syncAll([
      entry('wechat', { body: '中联部新闻办公室微信公众号正式上线' }),
      entry('other', { body: '政党交流' }),
    ]);
    expect(index.search('微信', { limit: 5 }).ids).toEqual(['wechat']);
    expect(index.search('公众号上线', { limit: 5 }).ids).toEqual(['wechat']);
    expect(index.search('交流', { limit: 5 }).ids).toEqual(['other']);
  });

  it('shows entries with every word of a short query, and stop words count for nothing', async () => {
    const index = createArchiveIndex(openDatabase(await tempDb()));
    index.syncAll([entry('both', { body: 'youth forum' }), entry('one', { body: 'youth' })]);
    expect(index.search('youth forum', { limit: 5 }).ids).toEqual(['both']);
    expect(index.search('youth zebra', { limit: 5 }).ids).toEqual([]);
    expect(index.search('youth nothing', { limit: 5 }).ids.sort()).toEqual(['both', 'one']);
    expect(index.search('the of and', { limit: 5 }).ids).toEqual([]);
  });

  it('finds no entry dated after the time searched at, on any page', async () => {
    const index = createArchiveIndex(openDatabase(await tempDb()));
    const future = new Date('2030-01-01T00:00:00Z');
    index.syncAll([
      entry('past', { body: 'forum', publishedAt: new Date('2020-01-01T00:00:00Z') }),
      entry('future', { body: 'forum forum', publishedAt: future }),
    ]);
    const before = new Date(future.getTime() - 1);
    expect(index.search('forum', { limit: 1, now: before })).toEqual({
      ids: ['past'],
      hasMore: false,
    });
    expect(index.search('forum', { limit: 1, offset: 1, now: before }).ids).toEqual([]);
    expect(index.search('forum', { limit: 5, now: future }).ids.sort()).toEqual(['future', 'past']);
  });

  it('re-indexes only what changed, also across a restart', async () => {
    const file = await tempDb();
    const first = createArchiveIndex(openDatabase(file));
    expect(first.syncAll([entry('a', { title: 'alpha' }), entry('b', { title: 'beta' })])).toEqual({
      added: 2,
      updated: 0,
      removed: 0,
    });
    const reopened = createArchiveIndex(openDatabase(file));
    expect(
      reopened.syncAll([entry('a', { title: 'alpha' }), entry('b', { title: 'gamma' })]),
    ).toEqual({ added: 0, updated: 1, removed: 0 });
    expect(reopened.search('beta', { limit: 5 }).ids).toEqual([]);
    expect(reopened.search('gamma', { limit: 5 }).ids).toEqual(['b']);
    reopened.apply({ upserted: [], removed: ['a'] });
    expect(reopened.search('alpha', { limit: 5 }).ids).toEqual([]);
  });

  it('treats quotes and FTS5 operators in a query as plain words', async () => {
    const index = createArchiveIndex(openDatabase(await tempDb()));
    index.syncAll([entry('a', { title: 'near and or not' })]);
    for (const query of ['"', 'NEAR(', 'a OR b', '*', 'title:x', '^near']) {
      expect(() => index.search(query, { limit: 5 })).not.toThrow();
    }
  });
});
