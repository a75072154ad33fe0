import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createBroadcasting, type Broadcasting } from './broadcast/broadcasting.ts';
import { createInboxSender } from './broadcast/inbox-sender.ts';
import { parseSchedules } from './broadcast/scheduler.ts';
import type { VirtualClock } from './clock/clock.ts';
import { createVirtualClock } from './clock/virtual-clock.ts';
import type { Config } from './config/config.ts';
import { hostSimulator } from './simulated-platform.ts';
import type { Simulator } from './simulator/simulator.ts';
import { ContentLibrary } from './content/library.ts';
import { loadRules } from './content/load-rules.ts';
import { watchMessages } from './content/watch-messages.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { createApp } from './http/app.ts';
import { adminAccess } from './http/admin-auth.ts';
import { resolveAdminToken } from './http/admin-token.ts';
import type { Logger } from './log/logger.ts';
import { createAccountEventHub } from './events/account-event-hub.ts';
import type { EventHub } from './events/event-hub.ts';
import { createArchiveIndex } from './search/archive-index.ts';
import { createConversationStore, type ConversationStore } from './store/conversations.ts';
import type { Db } from './store/database.ts';
import { createInboxStore, type InboxStore } from './store/inbox.ts';
import { createSessionStore } from './store/sessions.ts';
import { createStatsStore } from './store/stats.ts';
import { checkStorage, openStorage, type Storage } from './store/storage.ts';
import { describe } from './postgres/database.ts';
import { createSubscriberStore, type SubscriberStore } from './store/subscribers.ts';
import { startWriteThread } from './store/write-thread.ts';
import type { WechatyChannel } from './wechaty/channel.ts';
import { wechatyOptions } from './wechaty/config.ts';
import type { MassSendReport } from './wechat/to-inbound.ts';
import { menuPublisher } from './wechat/publish-menu.ts';
import { createWechatChannel, type WechatChannel } from './wechat/wechat-channel.ts';

export interface Service {
  /** Where the account's state lives (SQLite, or PostgreSQL with DATABASE_URL). */
  storage: Storage;
  /**
   * The SQLite connection when the storage is SQLite (tests read it); undefined on PostgreSQL.
   */
  db?: Db;
  engine: Engine;
  library: ContentLibrary;
  subscribers: SubscriberStore;
  inbox: InboxStore;
  conversations: ConversationStore;
  /**
   * The Wechaty channel when `WECHATY_PUPPET` names a puppet; its `sender` is the broadcast
   * dispatcher's way to the `wechaty` channel. The bot starts after the HTTP server.
   */
  wechaty?: WechatyChannel;
  /** Live events (a broadcast's progress), for the console's stream. */
  events: EventHub;
  /** Broadcasts: register a channel's sender with `broadcasting.register(sender)`. */
  broadcasting: Broadcasting;
  /** The WeChat Official Account channel: its API client and broadcast sender, when configured. */
  wechat: WechatChannel;
  /** The simulated platform this process hosts (SIMULATOR on, outside production). */
  simulator?: Simulator;
  /** The clock shared with the simulator, when hosted. */
  clock?: VirtualClock;
  /**
   * The admin API's token: ADMIN_TOKEN, or outside production the one generated and kept
   * in DATA_DIR/admin-token (`generated`). Undefined: the admin API is off.
   */
  adminToken?: { token: string; generated: boolean };
  /** Starts the HTTP server; resolves with its address. */
  listen(): Promise<{ server: Server; url: string }>;
  close(): Promise<void>;
}

/**
 * Server timeouts, so that slow clients (slowloris) are cut off: the headers within 10 s,
 * the whole request within 30 s, an idle keep-alive connection after 5 s; checked every
 * second rather than Node's 30.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const TIMEOUT_CHECK_MS = 1_000;
/**
 * At shutdown, requests in flight get this long to finish; then their connections are cut.
 * With the rest of the shutdown it keeps a stop within 10 s whatever clients do.
 */
export const SHUTDOWN_GRACE_MS = 5_000;

/** Builds the whole account from its configuration: database, content, engine, HTTP app. */
export async function createService(
  config: Config,
  log: Logger,
  {
    clock: givenClock,
    now: givenNow,
    background = true,
    storage: givenStorage,
  }: {
    /** The clock shared with the hosted simulator; one over real time is made when absent. */
    clock?: VirtualClock & { close?(): void };
    now?: () => Date;
    /** False for a second front end on the same database (the terminal chat): no schedules, dispatcher or bot. */
    background?: boolean;
    /** The account's storage, opened by the caller (who closes it); else from the configuration. */
    storage?: Storage;
  } = {},
): Promise<Service> {
  // The simulated platform, when hosted, shares one clock with the account: time travel
  // moves schedules, quotas, quiet hours and token expiry on both sides.
  const hosting = config.simulator && background;
  const clock =
    givenClock ??
    (hosting
      ? createVirtualClock({ onError: (err) => log.error({ err }, 'clock timer failed') })
      : undefined);
  const now = givenNow ?? (clock ? () => clock.now() : () => new Date());
  const storage = givenStorage ?? (await openStorage(config, log));
  const db = storage.kind === 'sqlite' ? storage.gate.db : undefined;
  const library = new ContentLibrary(join(config.MESSAGES_DIR, 'entries'), config.ACCOUNT_TZ, log);
  const index = createArchiveIndex(storage);
  const rulesFile = join(config.MESSAGES_DIR, 'rules.yaml');

  await library.load();
  const synced = await index.syncAll(library.all());
  log.info(synced, 'archive index in step with the library');
  library.onChange((change) => {
    index.apply(change).catch((err: unknown) => log.error({ err }, 'archive index update failed'));
  });

  const subscribers = createSubscriberStore(storage);
  const inbox = createInboxStore(storage);
  // SQLite: one queue for the writes that may trail their answers, committed on a thread
  // of its own: one commit carries them all, and none of it holds up a reply.
  const writes =
    storage.kind === 'sqlite'
      ? startWriteThread(storage.gate.db, storage.file, { log })
      : undefined;
  const conversations = createConversationStore(storage, { writes });
  const engine = createEngine(
    {
      library,
      search: index,
      subscribers,
      sessions: createSessionStore(storage),
      conversations,
      publicUrl: config.publicUrl,
      pageSize: config.SEARCH_PAGE_SIZE,
      now,
      log,
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

  let wechaty: WechatyChannel | undefined;
  const wechatyConfig = wechatyOptions(config);
  if (wechatyConfig && background) {
    // Imported only when configured: Wechaty is heavy to load and most runs leave it off.
    const { createWechatyChannel } = await import('./wechaty/channel.ts');
    wechaty = await createWechatyChannel({
      options: wechatyConfig,
      engine,
      subscribers,
      log: log.child({ channel: 'wechaty' }),
      now,
    });
  }

  const events = await createAccountEventHub(storage, log);
  const broadcasting = createBroadcasting({
    storage,
    events,
    library,
    log,
    now,
    clock,
    publicUrl: config.publicUrl,
    timeZone: config.ACCOUNT_TZ,
    accountType: config.ACCOUNT_TYPE,
    schedules: [
      ...parseSchedules(config.BROADCAST_CRON, config.BROADCAST_TZ),
      ...parseSchedules(config.DIGEST_CRON, config.BROADCAST_TZ, 'digest'),
    ],
    catchUpHours: config.BROADCAST_CATCHUP_HOURS,
    deliveriesKeptDays: config.DELIVERIES_KEPT_DAYS,
    dispatch: {
      ratePerSecond: config.DISPATCH_RATE_PER_SECOND,
      batchSize: config.DISPATCH_BATCH_SIZE,
      leaseMs: config.DISPATCH_LEASE_SECONDS * 1000,
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      retryBaseMs: config.DELIVERY_RETRY_SECONDS * 1000,
      blockAfterFailures: config.BLOCK_AFTER_FAILURES,
    },
  });
  let listening: string | undefined;
  const wechat = createWechatChannel(config, {
    storage,
    writes,
    engine,
    log,
    now,
    selfUrl: () => listening ?? config.publicUrl,
    // MASSSENDJOBFINISH: the platform's final counts of a mass send, added to its broadcast.
    onMassSendFinished: async (report: MassSendReport) => {
      const broadcast = await broadcasting.recordMassSendReport(report.msgId, {
        total: report.totalCount,
        sent: report.sentCount,
        failed: report.errorCount,
        filtered: report.filterCount,
      });
      log.info({ report, broadcast }, 'mass send finished');
    },
  });

  // The simulated channels deliver into the inbox. Other channels register their own sender.
  for (const channel of ['api', 'terminal'])
    broadcasting.register(createInboxSender(storage, channel, { now }));
  if (wechaty) broadcasting.register(wechaty.sender);
  if (wechat.sender) broadcasting.register(wechat.sender);
  if (background) await broadcasting.start();

  const adminToken = resolveAdminToken({
    configured: config.ADMIN_TOKEN,
    production: config.NODE_ENV === 'production',
    dataDir: config.DATA_DIR,
  });
  const simulator =
    hosting && clock
      ? await hostSimulator(config, {
          clock,
          adminToken: adminToken?.token,
          selfUrl: () => listening ?? config.publicUrl,
          log,
        })
      : undefined;
  const app = createApp({
    engine,
    inbox,
    library,
    log,
    now,
    wechat: wechat.mount,
    simulator: simulator?.router,
    health: async () => {
      const [database, jobs] = await Promise.all([
        checkStorage(storage),
        broadcasting.jobsHealth().catch((err: unknown) => ({
          ok: false,
          error: describe(err).message,
        })),
      ]);
      return { database, ...(jobs ? { jobs } : {}) };
    },
    admin: {
      broadcasting,
      subscribers,
      conversations,
      library,
      timeZone: config.ACCOUNT_TZ,
      access: adminAccess(adminToken?.token),
      events,
      publicUrl: config.publicUrl,
      publishMenu: wechat.client && menuPublisher(wechat.client, () => engine.rules().menu),
    },
    console: {
      stats: createStatsStore(storage),
      rulesFile,
      reloadRules: async () => engine.setRules(await loadRules(rulesFile, log, engine.rules())),
      hasEntry: (id) => library.get(id) !== undefined,
      accountName: config.ACCOUNT_NAME,
    },
  });
  let server: Server | undefined;

  return {
    storage,
    db,
    engine,
    library,
    subscribers,
    inbox,
    conversations,
    wechaty,
    broadcasting,
    events,
    wechat,
    adminToken,
    simulator,
    clock,
    listen() {
      return new Promise((resolve, reject) => {
        const started = createServer(
          {
            headersTimeout: HEADERS_TIMEOUT_MS,
            requestTimeout: REQUEST_TIMEOUT_MS,
            keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
            connectionsCheckingInterval: TIMEOUT_CHECK_MS,
          },
          app,
        );
        started.once('error', reject);
        started.listen(config.PORT, config.HOST, () => {
          started.off('error', reject);
          server = started;
          const { port } = started.address() as AddressInfo;
          const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
          // Not awaited: a puppet may take its time (or fail) to start; HTTP serves meanwhile.
          void wechaty?.start();
          listening = `http://${host}:${port}`;
          resolve({ server: started, url: listening });
        });
      });
    },
    async close() {
      // First no new connections, and idle ones go at once; requests in flight finish.
      const closed = server && stopServer(server);
      // Open event streams end now, rather than hold the server for its grace period.
      events.close();
      await wechaty?.stop();
      await watcher?.close();
      await broadcasting.stop();
      await closed;
      await simulator?.close();
      if (!givenClock) clock?.close?.();
      await writes?.close();
      if (!givenStorage) await storage.close();
    },
  };
}

/**
 * Stops accepting, closes idle connections at once, lets requests in flight finish for
 * SHUTDOWN_GRACE_MS, then cuts what is left (a client that holds a request open).
 */
async function stopServer(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((done) => {
    timer = setTimeout(done, SHUTDOWN_GRACE_MS);
  });
  await Promise.race([closed, grace]);
  clearTimeout(timer);
  server.closeAllConnections();
  await closed;
}
