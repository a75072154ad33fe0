import { WechatyBuilder, type Message, type Wechaty } from 'wechaty';
import type { ChannelSender } from '../broadcast/channel-sender.ts';
import type { Engine } from '../engine/engine.ts';
import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import type { SubscriberStore } from '../store/subscribers.ts';
import type { WechatyOptions } from './config.ts';
import { WECHATY_CHANNEL } from './conversation-id.ts';
import { errorMessage } from './errors.ts';
import { handleFriendship } from './friendship.ts';
import { watchLifecycle, type PrintQr, type WechatyState } from './lifecycle.ts';
import { loadPuppet, type Puppet } from './load-puppet.ts';
import { createRecentIds } from './recent-ids.ts';
import type { Clock } from './pace.ts';
import { sayReply, type Conversation, type LinkSupport } from './say-reply.ts';
import { createWechatySender, NOT_LOGGED_IN_RETRY_MS } from './sender.ts';
import { matchPrefix, toInbound } from './to-inbound.ts';

/** The account as a Wechaty chat bot: messages in through the engine, replies and broadcasts out. */
export interface WechatyChannel {
  /** Undefined when the puppet could not be loaded (the state is then `failed`). */
  readonly bot: Wechaty | undefined;
  readonly puppet: Puppet | undefined;
  /** Register with the broadcast dispatcher: channel `wechaty`, one recipient a call, paced. */
  readonly sender: ChannelSender;
  state(): WechatyState;
  /** Starts the bot. Never rejects: a failing puppet is logged and leaves the state `failed`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface WechatyChannelDeps {
  options: WechatyOptions;
  engine: Engine;
  subscribers: SubscriberStore;
  log: Logger;
  now?: () => Date;
  /** A puppet to use instead of loading `options.puppet` (tests, embedding). */
  puppet?: Puppet;
  printQr?: PrintQr;
  /** The broadcast pacer's time and randomness (tests). */
  clock?: Clock;
  random?: () => number;
}

/**
 * Builds the channel: loads the puppet, wires messages, friend requests and the lifecycle log,
 * and makes the broadcast sender. Nothing here can throw into the service: a puppet that
 * cannot be loaded leaves a channel in state `failed` whose sender asks for a retry later.
 */
export async function createWechatyChannel({
  options,
  engine,
  subscribers,
  log,
  now = () => new Date(),
  puppet: givenPuppet,
  printQr,
  clock,
  random,
}: WechatyChannelDeps): Promise<WechatyChannel> {
  let puppet: Puppet;
  let bot: Wechaty;
  try {
    puppet = givenPuppet ?? (await loadPuppet(options.puppet, options.puppetOptions));
    bot = WechatyBuilder.build({
      puppet,
      ...(options.sessionName ? { name: options.sessionName } : {}),
    });
  } catch (error) {
    log.error({ err: error, puppet: options.puppet }, 'wechaty: channel disabled');
    return failedChannel(errorMessage(error));
  }
  const lifecycle = watchLifecycle(bot, { log, printQr });
  const links: LinkSupport = { cards: true };
  const stripPrefix = matchPrefix(options.roomPrefix);
  const recent = createRecentIds();

  /** Every event handler runs through here: an error is logged, never thrown into Wechaty. */
  const guarded =
    <A extends unknown[]>(what: string, handler: (...args: A) => Promise<void>) =>
    (...args: A): void => {
      handler(...args).catch((error: unknown) =>
        log.error({ err: error }, `wechaty: ${what} failed`),
      );
    };

  const say = async (to: Conversation, replies: Reply[]) => {
    for (const reply of replies) await sayReply(to, reply, { bot, links });
  };

  bot.on(
    'message',
    guarded('answering a message', async (msg: Message) => {
      if (!recent.firstTime(msg.id)) {
        log.debug({ messageId: msg.id, reason: 'already seen' }, 'wechaty: message ignored');
        return;
      }
      const decision = await toInbound(msg, { now: now(), stripPrefix });
      if ('ignored' in decision) {
        log.debug({ messageId: msg.id, reason: decision.ignored }, 'wechaty: message ignored');
        return;
      }
      const replies = await engine.handle(decision.inbound);
      await say(msg.room() ?? msg.talker(), replies);
      log.debug(
        { messageId: msg.id, userId: decision.inbound.user, replies: replies.length },
        'wechaty: message answered',
      );
    }),
  );
  bot.on(
    'friendship',
    guarded('handling a friend request', (friendship) =>
      handleFriendship(friendship, {
        engine,
        subscribers,
        acceptFriends: options.acceptFriends,
        now,
        log,
        greet: say,
      }),
    ),
  );

  const sender = createWechatySender(bot, {
    intervalMs: options.sendIntervalMs,
    jitterMs: options.sendJitterMs,
    clock,
    random,
    links,
    log,
  });

  let starting: Promise<void> | undefined;
  return {
    bot,
    puppet,
    sender,
    state: lifecycle.state,
    start() {
      lifecycle.set('starting');
      log.info({ puppet: options.puppet }, 'wechaty: starting');
      starting = bot.start().then(
        () => {
          // Wechaty reports a puppet that failed to start as an `error` event, not a rejection.
          if (!puppet.state.active()) {
            lifecycle.set('failed');
            log.error({ puppet: options.puppet }, 'wechaty: the puppet did not start');
          } else if (lifecycle.state() === 'starting') lifecycle.set('started');
        },
        (error: unknown) => {
          lifecycle.set('failed');
          log.error({ err: error, puppet: options.puppet }, 'wechaty: the bot did not start');
        },
      );
      return starting;
    },
    async stop() {
      if (!starting) return;
      await starting;
      starting = undefined;
      try {
        await bot.stop();
      } catch (error) {
        log.warn({ err: error }, 'wechaty: the bot did not stop cleanly');
      }
      lifecycle.set('stopped');
    },
  };
}

function failedChannel(reason: string): WechatyChannel {
  return {
    bot: undefined,
    puppet: undefined,
    sender: {
      channel: WECHATY_CHANNEL,
      maxBatch: 1,
      async send(_reply, recipients) {
        return recipients.map(() => ({
          status: 'retry' as const,
          error: `the wechaty channel is not running: ${reason}`,
          retryAfterMs: NOT_LOGGED_IN_RETRY_MS,
        }));
      },
    },
    state: () => 'failed',
    start: async () => undefined,
    stop: async () => undefined,
  };
}
