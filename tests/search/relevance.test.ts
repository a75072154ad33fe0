import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { createArchiveIndex, type ArchiveIndex } from '../../src/search/archive-index.ts';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const LIMIT = 8;

/** Queries of only stop words, in English and Chinese: they find nothing. */
const ONLY_STOP_WORDS = [
  'this',
  'This?',
  'THIS',
  'the',
  'what is this',
  'how do you do',
  'is it',
  'of the and',
  '的',
  '什么',
  '这个',
  '我们的',
  '是什么',
  'ｔｈｉｓ',
];

/**
 * Questions and the entries that answer them, exactly: nothing unrelated may come along.
 * (The search tips and the launch notice quote some of these words themselves.)
 */
const QUESTIONS: [string, string[]][] = [
  ['How do parties talk to each other?', ['dialogue-formats-explained']],
  ['how do parties TALK to one another', ['dialogue-formats-explained']],
  ['What did Wang Huning say?', ['department-70th-anniversary']],
  ['what has wang huning said', ['department-70th-anniversary']],
  ['Who is Wang Huning?', ['department-70th-anniversary']],
  ['Tell me about young politicians', ['youth-exchange-programme']],
  ['what are the video conferences', ['online-exchanges-2020']],
  ['什么是人类命运共同体？', ['shared-future-for-mankind', 'archive-search-tips']],
  ['"party relations"', ['new-type-of-party-relations']],
  ['“mutual respect”', ['new-type-of-party-relations', 'account-launch']],
];

/** The sample archive, as the service loads it. */
async function sampleEntries(messagesDir: string) {
  const library = new ContentLibrary(
    join(messagesDir, 'entries'),
    'Asia/Shanghai',
    memoryLogger().log,
  );
  await library.load();
  return library.all();
}

describe.each(DATABASES)('search relevance on the sample archive, on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  let index: ArchiveIndex;
  const search = async (query: string) =>
    (await index.search(query, { limit: LIMIT, now: NOW })).ids;

  beforeAll(async () => {
    const temp = await makeTempDir();
    dir = temp.dir;
    storage = await openTestStorage(kind, dir);
    index = createArchiveIndex(storage);
    await index.syncAll(await sampleEntries(temp.messagesDir));
  });
  afterAll(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(ONLY_STOP_WORDS)('finds nothing for the stop words %j', async (query) => {
    expect(await search(query)).toEqual([]);
  });

  it.each(QUESTIONS)('answers %j with the entries about it only', async (query, ids) => {
    expect(await search(query)).toEqual(ids);
  });

  it('keeps a stop word that an entry lists among its keywords', async () => {
    // "world" is on the stop list; "better world" is a keyword of one entry.
    expect((await search('world'))[0]).toBe('shared-future-for-mankind');
    expect((await search('better world'))[0]).toBe('shared-future-for-mankind');
  });

  it('keeps stop words inside a quoted phrase, and needs the words in a row', async () => {
    expect(await search('"a new type of party-to-party relationship"')).toEqual([
      'new-type-of-party-relations',
      'account-launch',
    ]);
    expect(await search('"relations party"')).toEqual([]);
  });

  it('requires every word of a short query, and all but one of a longer one', async () => {
    expect(await search('youth zeppelin')).toEqual([]);
    expect(await search('anniversary department zeppelin')).toEqual([
      'department-70th-anniversary',
      'centenary-briefings-2021',
    ]);
    expect(await search('anniversary zeppelin airship')).toEqual([]);
  });

  it('keeps the meaningful words of a long question, after many stop words', async () => {
    const filler = 'so what is it that you all would have me do here and now about this '.repeat(3);
    expect(await search(`${filler} Wang Huning`)).toEqual(['department-70th-anniversary']);
  });

  it('still finds single words in English and Chinese, best first', async () => {
    expect((await search('anniversary'))[0]).toBe('department-70th-anniversary');
    expect((await search('交流')).length).toBeGreaterThan(1);
    expect(await search('微信')).toEqual(['account-launch']);
  });
});
