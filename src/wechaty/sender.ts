import type { Wechaty } from 'wechaty';
import type { ChannelSender, Recipient, SendResult } from '../broadcast/channel-sender.ts';
import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import { parseUserId, WECHATY_CHANNEL, type ConversationRef } from './conversation-id.ts';
import { errorMessage } from './errors.ts';
import { createPacer, type Clock } from './pace.ts';
import { sayReply, type Conversation, type LinkSupport } from './say-reply.ts';

/** How long a delivery waits when the bot is not logged in: a QR scan takes a human. */
export const NOT_LOGGED_IN_RETRY_MS = 60_000;

export interface WechatySenderOptions {
  intervalMs?: number;
  jitterMs?: number;
  clock?: Clock;
  random?: () => number;
  links?: LinkSupport;
  log?: Logger;
}

type Bot = Pick<Wechaty, 'puppet' | 'isLoggedIn' | 'Contact' | 'Room' | 'UrlLink'>;

/**
 * Broadcasts through Wechaty, one recipient at a time at a conservative pace (a personal
 * account that bulk-sends gets banned). A say() that fails is worth a retry; a bot logged
 * out, or a puppet that cannot look contacts up, pauses the channel (it is the account's
 * trouble); only a contact or room the puppet no longer knows, or a contact that is no
 * longer a friend, counts against the recipient: it is blocked. Wechaty takes
 * no idempotency key: a batch sent again after a crash may reach its one recipient twice.
 */
export function createWechatySender(
  bot: Bot,
  {
    intervalMs = 2000,
    jitterMs = 1000,
    clock,
    random,
    links = { cards: true },
    log,
  }: WechatySenderOptions = {},
): ChannelSender {
  const paced = createPacer({ intervalMs, jitterMs, clock, random });

  async function sendOne(reply: Reply, recipient: Recipient): Promise<SendResult> {
    // A logged-out bot is the account's trouble, not the recipient's: the channel pauses.
    if (!bot.isLoggedIn)
      return {
        status: 'paused',
        error: 'the bot is not logged in',
        retryAfterMs: NOT_LOGGED_IN_RETRY_MS,
      };
    const ref = parseUserId(recipient.userId);
    let found: Conversation | string;
    try {
      found = await findConversation(bot, ref);
    } catch (error) {
      // The puppet cannot even list its contacts: it is the bot that is failing.
      return { status: 'paused', error: `the puppet is failing: ${errorMessage(error)}` };
    }
    if (typeof found === 'string') return { status: 'blocked', error: found };
    const conversation = found;
    try {
      await paced(() => sayReply(conversation, reply, { bot, links }));
      return { status: 'sent' };
    } catch (error) {
      log?.warn({ err: error, userId: recipient.userId }, 'wechaty send failed; will retry');
      return { status: 'retry', error: errorMessage(error) };
    }
  }

  return {
    channel: WECHATY_CHANNEL,
    maxBatch: 1,
    pace: { intervalMs, jitterMs },
    async send(reply, recipients) {
      const results: SendResult[] = [];
      for (const recipient of recipients) results.push(await sendOne(reply, recipient));
      return results;
    },
  };
}

/**
 * The contact or room to say something to, or why there is none any more. A payload the
 * puppet cannot fetch is gone only if the puppet's own list agrees; otherwise the puppet is
 * having trouble, and the error is rethrown to be retried.
 */
async function findConversation(bot: Bot, ref: ConversationRef): Promise<Conversation | string> {
  const { puppet } = bot;
  if (ref.kind === 'room') {
    try {
      await puppet.roomPayload(ref.id);
    } catch (error) {
      if (!(await puppet.roomList()).includes(ref.id)) return 'the room no longer exists';
      throw error;
    }
    const room = await bot.Room.find({ id: ref.id });
    if (!room) throw new Error(`room ${ref.id} could not be loaded`);
    return room;
  }
  try {
    const payload = await puppet.contactPayload(ref.id);
    if (payload.friend === false) return 'the contact is no longer a friend';
  } catch (error) {
    if (!(await puppet.contactList()).includes(ref.id)) return 'the contact no longer exists';
    throw error;
  }
  const contact = await bot.Contact.find({ id: ref.id });
  if (!contact) throw new Error(`contact ${ref.id} could not be loaded`);
  return contact;
}
