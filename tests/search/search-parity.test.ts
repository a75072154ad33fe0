import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { createArchiveIndex, type ArchiveIndex } from '../../src/search/archive-index.ts';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
/**
 * Results compared: a whole page and more. The PostgreSQL index ranks by the same bm25 as
 * FTS5 over the same terms, so not only the top 3 but the order agrees (up to floating-point
 * ties, which both break by indexing order; none occur on the sample archive).
 */
const TOP = 10;

/** Questions people send, in English and Chinese, each finding one or more entries. */
const QUERIES = [
  'exchanges',
  'exchange',
  'party',
  'parties',
  'party relations',
  'political parties exchanges',
  'anniversary',
  'history',
  'book',
  'archive',
  'search',
  'window',
  'bridge',
  'questions',
  'online',
  'video conference',
  'young politicians',
  'youth seminar',
  'study visit',
  'dialogue forum',
  'mutual learning',
  'shared future',
  'community',
  'centenary briefing',
  'Wang Huning',
  'international department',
  'help',
  'how to use this account',
  'launch',
  '交流',
  '政党',
  '政党交流',
  '中联部',
  '微信',
  '公众号',
  '周年',
  '青年',
  '论坛',
  '对话',
  '档案',
  '检索',
  '百年',
  '人类命运共同体',
  '互学互鉴',
  '云端',
  '视频会议',
  '新型政党关系',
  '使用指南',
  'How do parties talk to each other?',
  'anniversary department zeppelin',
  'online exchanges video conference cloud',
  'youth exchange study programme seminar',
  'history of the party archive book',
  '"party relations"',
  '"mutual respect"',
  'better world',
  '青年 交流 研修',
  '中联部 周年 纪念',
  'WeChat 公众号 launch',
];

const hasPostgres = DATABASES.includes('postgres');

describe.skipIf(!hasPostgres)('search on SQLite and on PostgreSQL side by side', () => {
  let dir: string;
  const storages: Storage[] = [];
  let sqlite: ArchiveIndex;
  let postgres: ArchiveIndex;
  const top = async (index: ArchiveIndex, query: string) =>
    (await index.search(query, { limit: TOP, now: NOW })).ids;

  beforeAll(async () => {
    const temp = await makeTempDir();
    dir = temp.dir;
    const library = new ContentLibrary(
      join(temp.messagesDir, 'entries'),
      'Asia/Shanghai',
      memoryLogger().log,
    );
    await library.load();
    for (const kind of ['sqlite', 'postgres'] as const)
      storages.push(await openTestStorage(kind, dir));
    [sqlite, postgres] = storages.map((storage) => createArchiveIndex(storage)) as [
      ArchiveIndex,
      ArchiveIndex,
    ];
    await sqlite.syncAll(library.all());
    await postgres.syncAll(library.all());
  });
  afterAll(async () => {
    for (const storage of storages) await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(QUERIES)('gives the same top results for %j', async (query) => {
    const onSqlite = await top(sqlite, query);
    expect(onSqlite.length).toBeGreaterThan(0);
    expect(await top(postgres, query)).toEqual(onSqlite);
  });
});
