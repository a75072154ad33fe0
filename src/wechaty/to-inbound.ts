import { types, type Message } from 'wechaty';
import type { Inbound } from '../engine/types.ts';
import { roomUserId, WECHATY_CHANNEL } from './conversation-id.ts';

/**
 * Puppets replay recent history after a login; a message older than this when it arrives was
 * sent before the bot was there to answer it, and an answer now would come out of the blue.
 */
export const MAX_MESSAGE_AGE_MS = 2 * 60 * 1000;
/** The same bound as the JSON API puts on a message. */
export const MAX_TEXT_LENGTH = 2000;

export type IgnoreReason =
  | 'own message'
  | 'older than 2 minutes'
  | 'not text'
  | 'empty text'
  | 'from an official account'
  | 'room message not for the bot';

export type Decision = { inbound: Inbound } | { ignored: IgnoreReason };

/** Strips a leading prefix word from a text; undefined when the text does not start with it. */
export type PrefixMatcher = (text: string) => string | undefined;

/** Built once at start-up: the prefix as a whole word, any case (`/OA help`, not `/oath`). */
export function matchPrefix(prefix: string): PrefixMatcher {
  const pattern = new RegExp(
    `^\\s*${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s+|$)`,
    'i',
  );
  return (text) => (pattern.test(text) ? text.replace(pattern, '') : undefined);
}

/**
 * Maps a Wechaty message onto the engine's Inbound, or says why the bot lets it pass. In a
 * room only messages that mention the bot or start with the prefix count, and the room
 * itself is the user: "subscribe" there subscribes the room.
 */
export async function toInbound(
  msg: Message,
  { now, stripPrefix }: { now: Date; stripPrefix: PrefixMatcher },
): Promise<Decision> {
  if (msg.self()) return { ignored: 'own message' };
  if (now.getTime() - msg.date().getTime() > MAX_MESSAGE_AGE_MS)
    return { ignored: 'older than 2 minutes' };
  if (msg.type() !== types.Message.Text) return { ignored: 'not text' };
  // Official accounts push articles into the chat list; answering them is talking to a wall.
  if (msg.talker().type() === types.Contact.Official)
    return { ignored: 'from an official account' };

  const room = msg.room();
  if (!room) {
    if (!msg.text().trim()) return { ignored: 'empty text' };
    return { inbound: textInbound(msg.talker().id, msg.text(), now) };
  }

  const mentioned = await msg.mentionSelf();
  const afterMention = mentioned ? await msg.mentionText() : msg.text();
  const text = stripPrefix(afterMention) ?? (mentioned ? afterMention : undefined);
  if (text === undefined) return { ignored: 'room message not for the bot' };
  // A bare mention is taken as "help", so that a member who only @-mentions the bot learns
  // what it does.
  return { inbound: textInbound(roomUserId(room.id), text.trim() || 'help', now) };
}

function textInbound(user: string, text: string, time: Date): Inbound {
  return {
    channel: WECHATY_CHANNEL,
    user,
    time,
    kind: 'text',
    text: text.trim().slice(0, MAX_TEXT_LENGTH),
  };
}
