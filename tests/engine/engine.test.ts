import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { loadRules } from '../../src/content/load-rules.ts';
import type { Rules } from '../../src/content/rules.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { compileRules } from '../../src/engine/keyword-match.ts';
import { truncateUtf8 } from '../../src/engine/reply-limits.ts';
import type { Inbound, Reply } from '../../src/engine/types.ts';
import type { ArchiveIndex } from '../../src/search/archive-index.ts';
import { sqliteArchiveIndex } from '../../src/search/sqlite-archive-index.ts';
import { createSqliteGate } from '../../src/store/sqlite-gate.ts';
import { createConversationStore } from '../../src/store/conversations.ts';
import type { Db } from '../../src/store/database.ts';
import { createSessionStore } from '../../src/store/sessions.ts';
import { sqliteStorage, type Storage } from '../../src/store/storage.ts';
import { createSubscriberStore } from '../../src/store/subscribers.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const PUBLIC_URL = 'http://oa.test';
let dir: string;
let db: Db;
let storage: Storage;
let sampleRules: Rules;
let library: ContentLibrary;
let index: ArchiveIndex;

function engineWith(rules: Rules, random = () => 0): Engine {
  return createEngine(
    {
      library,
      search: index,
      subscribers: createSubscriberStore(storage),
      sessions: createSessionStore(storage),
      conversations: createConversationStore(storage),
      publicUrl: PUBLIC_URL,
      pageSize: 2,
      random,
    },
    rules,
  );
}

const text = (user: string, body: string): Inbound => ({
  channel: 'test',
  user,
  time: NOW,
  kind: 'text',
  text: body,
});
const texts = (replies: Reply[]) =>
  replies.map((r) => (r.type === 'text' ? r.text : r.articles.map((a) => a.id).join(',')));

beforeAll(async () => {
  const temp = await makeTempDir();
  dir = temp.dir;
  const sqlite = sqliteStorage(join(dir, 'data', 'test.db'));
  storage = sqlite;
  db = sqlite.gate.db;
  const { log } = memoryLogger();
  library = new ContentLibrary(join(temp.messagesDir, 'entries'), 'Asia/Shanghai', log);
  await library.load();
  index = sqliteArchiveIndex(createSqliteGate(db));
  await index.syncAll(library.all());
  sampleRules = await loadRules(join(temp.messagesDir, 'rules.yaml'), log);
});
afterAll(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

describe('keyword rules', () => {
  const rule = (keyword: string, match: 'equal' | 'contain' | 'regex') => ({
    name: keyword,
    keywords: [{ keyword, match }],
    replyMode: 'reply_all' as const,
    replies: [{ text: keyword }],
  });

  it('matches equal keywords ignoring case and full-width forms', () => {
    const match = compileRules([rule('Hello', 'equal')]);
    expect(match('hello')?.name).toBe('Hello');
    expect(match('ＨＥＬＬＯ')?.name).toBe('Hello');
    expect(match('hello there')).toBeUndefined();
  });

  it('matches a Latin contain keyword only as whole words, a Chinese one anywhere', () => {
    const match = compileRules([rule('hi', 'contain'), rule('周年', 'contain')]);
    expect(match('oh hi there')?.name).toBe('hi');
    expect(match('this')).toBeUndefined();
    expect(match('七十周年纪念')?.name).toBe('周年');
  });

  it('matches regex keywords as our extension', () => {
    expect(compileRules([rule('^events?$', 'regex')])('Events')?.name).toBe('^events?$');
  });

  it('sends every reply of a reply_all rule and one of a random_one rule', async () => {
    const engine = engineWith(sampleRules, () => 0.99);
    expect(texts(await engine.handle(text('u1', 'about')))).toEqual([
      expect.stringContaining('Information Office'),
      'account-launch',
    ]);
    const greeting = texts(await engine.handle(text('u1', '你好')));
    expect(greeting).toEqual([expect.stringContaining('Send a word to search')]);
  });
});

describe('commands and search', () => {
  it('pages search results with "more" until there are none', async () => {
    const engine = engineWith(sampleRules);
    const first = await engine.handle(text('pager', 'party'));
    expect(first[0]?.type).toBe('articles');
    expect(texts(first)[1]).toContain('Send "more"');
    const seen = new Set(texts(first)[0]!.split(','));
    for (let page = 0; page < 10; page++) {
      const replies = await engine.handle(text('pager', page % 2 ? 'more' : '更多'));
      if (replies[0]?.type !== 'articles') {
        expect(texts(replies)[0]).toMatch(/^There is nothing more to show/);
        break;
      }
      for (const id of texts(replies)[0]!.split(',')) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect(seen.size).toBeGreaterThan(2);
  });

  it('subscribes to topics by name or Chinese alias and unsubscribes', async () => {
    const engine = engineWith(sampleRules);
    expect(texts(await engine.handle(text('sub', '订阅活动')))[0]).toBe(
      'Subscribed to events (活动). You receive: events (活动).',
    );
    await engine.handle(text('sub', 'subscribe dialogue'));
    const topics = texts(await engine.handle(text('sub', '栏目')))[0]!;
    expect(topics).toContain('✓ events (活动)');
    expect(topics).toContain('• guides (指南)');
    expect(texts(await engine.handle(text('sub', 'subscribe nonsense')))[0]).toContain(
      'There is no topic "nonsense"',
    );
    await engine.handle(text('sub', 'unsubscribe events'));
    await engine.handle(text('sub', 'unsubscribe dialogue'));
    expect(await createSubscriberStore(storage).get('test', 'sub')).toMatchObject({
      state: 'unsubscribed',
      topics: [],
    });
  });

  it('lets a command-like message that is not a command fall through to search', async () => {
    const engine = engineWith(sampleRules);
    const replies = await engine.handle(text('x', 'latest anniversary'));
    expect(replies[0]?.type).toBe('articles');
  });

  it('cuts long text replies to 2048 bytes and article replies to 8 cards', async () => {
    const long: Rules = {
      ...sampleRules,
      rules: [
        {
          name: 'long',
          keywords: [{ keyword: 'long', match: 'equal' }],
          replyMode: 'reply_all',
          replies: [{ text: '长'.repeat(1500) }],
        },
      ],
    };
    const [reply] = await engineWith(long).handle(text('x', 'long'));
    expect(reply?.type === 'text' && Buffer.byteLength(reply.text)).toBeLessThanOrEqual(2048);
    expect(truncateUtf8('a'.repeat(3000))).toHaveLength(2046);
    const many: Rules = {
      ...sampleRules,
      rules: [
        {
          name: 'many',
          keywords: [{ keyword: 'many', match: 'equal' }],
          replyMode: 'reply_all',
          replies: [{ entries: library.all().map((entry) => entry.id) }],
        },
      ],
    };
    expect(library.all().length).toBeGreaterThan(8);
    const [cards] = await engineWith(many).handle(text('x', 'many'));
    expect(cards?.type === 'articles' && cards.articles.length).toBe(8);
  });

  it('gives no reply to a view event', async () => {
    const engine = engineWith(sampleRules);
    expect(
      await engine.handle({
        channel: 'test',
        user: 'x',
        time: NOW,
        kind: 'event',
        event: 'view',
        key: 'https://x',
      }),
    ).toEqual([]);
  });
});
