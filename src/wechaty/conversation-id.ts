/**
 * Subscriber ids of the `wechaty` channel. A contact is its puppet contact id as it is; a
 * room is `room:` + its puppet room id. Puppets do not share an id format (the mock and
 * WeChat puppets end room ids in `@chatroom`, the WhatsApp puppet ends groups in `@g.us`
 * and contacts in `@c.us`), so the prefix is what tells the sender, without asking the
 * puppet, whether to look up a room or a contact.
 */
export const WECHATY_CHANNEL = 'wechaty';

const ROOM_PREFIX = 'room:';

export type ConversationRef = { kind: 'room'; id: string } | { kind: 'contact'; id: string };

export function roomUserId(roomId: string): string {
  return ROOM_PREFIX + roomId;
}

export function parseUserId(userId: string): ConversationRef {
  return userId.startsWith(ROOM_PREFIX)
    ? { kind: 'room', id: userId.slice(ROOM_PREFIX.length) }
    : { kind: 'contact', id: userId };
}
