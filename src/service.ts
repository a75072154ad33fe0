import type { Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.ts';
import { ContentLibrary } from './content/library.ts';
import { loadRules } from './content/load-rules.ts';
import { watchMessages } from './content/watch-messages.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { createApp } from './http/app.ts';
import type { Logger } from './log/logger.ts';
import { createArchiveIndex } from './search/archive-index.ts';
import { createConversationStore } from './store/conversations.ts';
import { openDatabase, type Db } from './store/database.ts';
import { createInboxStore, type InboxStore } from './store/inbox.ts';
import { createSessionStore } from './store/sessions.ts';
import { createSubscriberStore, type SubscriberStore } from './store/subscribers.ts';
import type { MassSendReport } from './wechat/to-inbound.ts';
import { createWechatChannel, type WechatChannel } from './wechat/wechat-channel.ts';

export interface Service {
  db: Db;
  engine: Engine;
  library: ContentLibrary;
  subscribers: SubscriberStore;
  inbox: InboxStore;
  /** The WeChat Official Account channel: its API client and broadcast sender, when configured. */
  wechat: WechatChannel;
  /** Starts the HTTP server; resolves with its address. */
  listen(): Promise<{ server: Server; url: string }>;
  close(): Promise<void>;
}

/** Builds the whole account from its configuration: database, content, engine, HTTP app. */
export async function createService(
  config: Config,
  log: Logger,
  {
    now = () => new Date(),
    onMassSendFinished,
  }: {
    now?: () => Date;
    /** Where WeChat's mass-send reports (MASSSENDJOBFINISH) go; logged when not given. */
    onMassSendFinished?: (report: MassSendReport) => void | Promise<void>;
  } = {},
): Promise<Service> {
  const db = openDatabase(join(config.DATA_DIR, 'oasim.db'));
  const library = new ContentLibrary(join(config.MESSAGES_DIR, 'entries'), config.ACCOUNT_TZ, log);
  const index = createArchiveIndex(db);
  const rulesFile = join(config.MESSAGES_DIR, 'rules.yaml');

  await library.load();
  const synced = index.syncAll(library.all());
  log.info(synced, 'archive index in step with the library');
  library.onChange((change) => index.apply(change));

  const subscribers = createSubscriberStore(db);
  const inbox = createInboxStore(db);
  const engine = createEngine(
    {
      library,
      search: index,
      subscribers,
      sessions: createSessionStore(db),
      conversations: createConversationStore(db),
      publicUrl: config.publicUrl,
      pageSize: config.SEARCH_PAGE_SIZE,
    },
    await loadRules(rulesFile, log),
  );

  const watcher = config.WATCH_MESSAGES
    ? watchMessages(
        { dir: config.MESSAGES_DIR, rulesFile, log },
        {
          entry: (path) => library.reloadFile(path),
          rules: async () => engine.setRules(await loadRules(rulesFile, log, engine.rules())),
        },
      )
    : undefined;
  await watcher?.ready;

  let server: Server | undefined;
  let listening: string | undefined;
  const wechat = createWechatChannel(config, {
    db,
    engine,
    log,
    now,
    selfUrl: () => listening ?? config.publicUrl,
    onMassSendFinished,
  });
  const app = createApp({ engine, inbox, library, log, now, wechat: wechat.router });

  return {
    db,
    engine,
    library,
    subscribers,
    inbox,
    wechat,
    listen() {
      return new Promise((resolve, reject) => {
        const started = app.listen(config.PORT, config.HOST, (error?: Error) => {
          if (error) return reject(error);
          server = started;
          const { port } = started.address() as AddressInfo;
          const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
          listening = `http://${host}:${port}`;
          resolve({ server: started, url: listening });
        });
      });
    },
    async close() {
      await watcher?.close();
      if (server) {
        const closing = server;
        await new Promise<void>((done) => closing.close(() => done()));
        closing.closeAllConnections();
      }
      db.close();
    },
  };
}
