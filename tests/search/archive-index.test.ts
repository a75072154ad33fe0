import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/content/entry.ts';
import { createArchiveIndex } from '../../src/search/archive-index.ts';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';
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

describe.each(DATABASES)('archive index on %s', (kind) => {
  let dir: string | undefined;
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
    storage = undefined;
  });

  async function tempIndex() {
    dir = (await makeTempDir()).dir;
    storage = await openTestStorage(kind, dir);
    return createArchiveIndex(storage);
  }
  const ids = async (found: Promise<{ ids: string[] }>) => (await found).ids;

  it('ranks a title match above a body match and stems English words', async () => {
    const index = await tempIndex();
    await index.syncAll([
      entry('body', { body: 'a long text that mentions exchanges once' }),
      entry('title', { title: 'Exchange programmes' }),
    ]);
    expect(await ids(index.search('exchanges', { limit: 5 }))).toEqual(['title', 'body']);
  });

  it('finds Chinese words inside unspaced text, even ones the segmenter splits', async () => {
    const index = await tempIndex();
    await index.syncAll([
      entry('wechat', { body: '中联部新闻办公室微信公众号正式上线' }),
      entry('other', { body: '政党交流' }),
    ]);
    expect(await ids(index.search('微信', { limit: 5 }))).toEqual(['wechat']);
    expect(await ids(index.search('公众号上线', { limit: 5 }))).toEqual(['wechat']);
    expect(await ids(index.search('交流', { limit: 5 }))).toEqual(['other']);
  });

  it('shows entries with every word of a short query, and stop words count for nothing', async () => {
    const index = await tempIndex();
    await index.syncAll([entry('both', { body: 'youth forum' }), entry('one', { body: 'youth' })]);
    expect(await ids(index.search('youth forum', { limit: 5 }))).toEqual(['both']);
    expect(await ids(index.search('youth zebra', { limit: 5 }))).toEqual([]);
    expect((await ids(index.search('youth nothing', { limit: 5 }))).sort()).toEqual([
      'both',
      'one',
    ]);
    expect(await ids(index.search('the of and', { limit: 5 }))).toEqual([]);
  });

  it('ranks an entry with every word of a longer query above a stronger one missing a word', async () => {
    const index = await tempIndex();
    const others = Array.from({ length: 6 }, (_, i) =>
      entry(`other-${i}`, { title: 'other', body: 'zebra' }),
    );
    await index.syncAll([
      entry('partial', { title: 'alpha beta' }),
      entry('full', { body: 'alpha beta gamma gamma and a few more words' }),
      ...others,
    ]);
    // Alone, "partial" scores higher (its words are in the title); but bm25 counts each
    // matching branch of the relevance floor, and "full" matches every one of them.
    expect(await ids(index.search('alpha beta', { limit: 5 }))).toEqual(['partial', 'full']);
    expect(await ids(index.search('alpha beta gamma', { limit: 5 }))).toEqual(['full', 'partial']);
  });

  it('finds no entry dated after the time searched at, on any page', async () => {
    const index = await tempIndex();
    const future = new Date('2030-01-01T00:00:00Z');
    await index.syncAll([
      entry('past', { body: 'forum', publishedAt: new Date('2020-01-01T00:00:00Z') }),
      entry('future', { body: 'forum forum', publishedAt: future }),
    ]);
    const before = new Date(future.getTime() - 1);
    expect(await index.search('forum', { limit: 1, now: before })).toEqual({
      ids: ['past'],
      hasMore: false,
    });
    expect(await ids(index.search('forum', { limit: 1, offset: 1, now: before }))).toEqual([]);
    expect((await ids(index.search('forum', { limit: 5, now: future }))).sort()).toEqual([
      'future',
      'past',
    ]);
  });

  it('pages through the results, telling whether another page exists', async () => {
    const index = await tempIndex();
    await index.syncAll([
      entry('a', { title: 'forum' }),
      entry('b', { summary: 'forum' }),
      entry('c', { body: 'forum' }),
    ]);
    expect(await index.search('forum', { limit: 2 })).toEqual({ ids: ['a', 'b'], hasMore: true });
    expect(await index.search('forum', { limit: 2, offset: 2 })).toEqual({
      ids: ['c'],
      hasMore: false,
    });
  });

  it('re-indexes only what changed, also across a restart', async () => {
    const first = await tempIndex();
    expect(
      await first.syncAll([entry('a', { title: 'alpha' }), entry('b', { title: 'beta' })]),
    ).toEqual({ added: 2, updated: 0, removed: 0 });
    const reopened = createArchiveIndex(storage!);
    expect(
      await reopened.syncAll([entry('a', { title: 'alpha' }), entry('b', { title: 'gamma' })]),
    ).toEqual({ added: 0, updated: 1, removed: 0 });
    expect(await ids(reopened.search('beta', { limit: 5 }))).toEqual([]);
    expect(await ids(reopened.search('gamma', { limit: 5 }))).toEqual(['b']);
    await reopened.apply({ upserted: [], removed: ['a'] });
    expect(await ids(reopened.search('alpha', { limit: 5 }))).toEqual([]);
    expect(await reopened.syncAll([entry('b', { title: 'gamma' })])).toEqual({
      added: 0,
      updated: 0,
      removed: 0,
    });
  });

  it('stays whole when two instances bring it in step at once', async () => {
    const first = await tempIndex();
    const second = createArchiveIndex(storage!);
    const entries = ['a', 'b', 'c'].map((id) => entry(id, { title: `forum ${id}` }));
    const counts = await Promise.all([first.syncAll(entries), second.syncAll(entries)]);
    expect(counts.map((c) => c.added).sort()).toEqual([0, 3]);
    expect(await first.search('forum', { limit: 5 })).toEqual({
      ids: ['a', 'b', 'c'],
      hasMore: false,
    });
  });

  it('treats quotes and search operators in a query as plain words', async () => {
    const index = await tempIndex();
    await index.syncAll([entry('a', { title: 'near and or not zebra' })]);
    const queries = ['"', 'NEAR(', 'a OR b', '*', 'title:x', '^near', "it's", '!a & b | c', '\\'];
    for (const query of queries) {
      await expect(index.search(query, { limit: 5 })).resolves.toBeDefined();
    }
    expect(await ids(index.search('zebra OR', { limit: 5 }))).toEqual(['a']);
  });
});
