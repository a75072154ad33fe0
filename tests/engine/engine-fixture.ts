import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentLibrary } from '../../src/content/library.ts';
import { loadRules } from '../../src/content/load-rules.ts';
import type { Rules } from '../../src/content/rules.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import type { Inbound, Reply } from '../../src/engine/types.ts';
import { createArchiveIndex } from '../../src/search/archive-index.ts';
import { createConversationStore, type ConversationStore } from '../../src/store/conversations.ts';
import { createSessionStore } from '../../src/store/sessions.ts';
import type { Storage } from '../../src/store/storage.ts';
import { createSubscriberStore, type SubscriberStore } from '../../src/store/subscribers.ts';
import { openTestStorage, type DatabaseKind } from '../helpers/postgres.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';

export const PUBLIC_URL = 'http://oa.test';

/** An inbound without its channel and time, which the fixture fills in. */
export type NewInbound = (Inbound extends infer I
  ? I extends Inbound
    ? Omit<I, 'channel' | 'time'>
    : never
  : never) & {
  time?: Date;
};

export interface EngineFixture {
  engine: Engine;
  library: ContentLibrary;
  rules: Rules;
  /** The SQLite connection the archive index is on (the account's own, on SQLite). */
  storage: Storage;
  subscribers: SubscriberStore;
  conversations: ConversationStore;
  messagesDir: string;
  logLines: () => Record<string, unknown>[];
  /** Sends a text from `user` and answers the replies. */
  say(user: string, text: string): Promise<Reply[]>;
  send(inbound: NewInbound): Promise<Reply[]>;
  cleanup(): Promise<void>;
}

/**
 * An engine over a copy of the fixture account, with `files` added to (or replacing files
 * of) `messages/`, on a clock the test moves.
 */
export async function engineFixture(
  options: {
    files?: Record<string, string>;
    now?: () => Date;
    pageSize?: number;
    /** Where the stores are: SQLite by default. */
    database?: DatabaseKind;
  } = {},
): Promise<EngineFixture> {
  const { dir, messagesDir } = await makeTempDir();
  for (const [name, content] of Object.entries(options.files ?? {}))
    await writeFile(join(messagesDir, name), content);
  const { log, lines } = memoryLogger('debug');
  const library = new ContentLibrary(join(messagesDir, 'entries'), 'Asia/Shanghai', log);
  await library.load();
  const rules = await loadRules(join(messagesDir, 'rules.yaml'), log);
  const storage = await openTestStorage(options.database ?? 'sqlite', join(dir, 'data'));
  const index = createArchiveIndex(storage);
  await index.syncAll(library.all());
  library.onChange((change) => void index.apply(change));
  const now = options.now ?? (() => new Date('2026-01-01T00:00:00Z'));
  const conversations = createConversationStore(storage);
  const subscribers = createSubscriberStore(storage);
  const engine = createEngine(
    {
      library,
      search: index,
      subscribers,
      sessions: createSessionStore(storage),
      conversations,
      publicUrl: PUBLIC_URL,
      pageSize: options.pageSize ?? 3,
      now,
      log,
      random: () => 0,
    },
    rules,
  );
  const send = (inbound: NewInbound) =>
    engine.handle({ channel: 'test', time: now(), ...inbound } as Inbound);
  return {
    engine,
    library,
    rules,
    storage,
    subscribers,
    conversations,
    messagesDir,
    logLines: lines,
    say: (user, text) => send({ user, kind: 'text', text }),
    send,
    async cleanup() {
      await conversations.flush();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Replies as short strings: a text as itself, articles as their ids joined by commas. */
export const shown = (replies: Reply[]): string[] =>
  replies.map((r) => (r.type === 'text' ? r.text : r.articles.map((a) => a.id).join(',')));

/** Every entry id shown in the replies. */
export const shownIds = (replies: Reply[]): string[] =>
  replies.flatMap((r) => (r.type === 'articles' ? r.articles.map((a) => a.id) : []));
