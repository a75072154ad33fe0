import { types, type Friendship } from 'wechaty';
import type { Engine } from '../engine/engine.ts';
import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import type { SubscriberStore } from '../store/subscribers.ts';
import { WECHATY_CHANNEL } from './conversation-id.ts';
import type { Conversation } from './say-reply.ts';

/**
 * A friend request is the follow of this channel. When accepting is on, the request is
 * accepted and the new friend follows: they become a subscriber and get the follow reply. A
 * confirmed friendship (the operator accepted on the phone, or the puppet confirms the accept
 * it was asked for) follows too, unless the contact already is an active subscriber, so a
 * puppet that reports both does not greet twice.
 */
export async function handleFriendship(
  friendship: Friendship,
  {
    engine,
    subscribers,
    acceptFriends,
    now,
    log,
    greet,
  }: {
    engine: Engine;
    subscribers: SubscriberStore;
    acceptFriends: boolean;
    now: () => Date;
    log: Logger;
    greet: (to: Conversation, replies: Reply[]) => Promise<void>;
  },
): Promise<void> {
  const contact = friendship.contact();
  switch (friendship.type()) {
    case types.Friendship.Receive:
      if (!acceptFriends) {
        log.info({ userId: contact.id }, 'wechaty: friend request left for the operator');
        return;
      }
      await friendship.accept();
      log.info({ userId: contact.id }, 'wechaty: friend request accepted');
      break;
    case types.Friendship.Confirm:
      if ((await subscribers.get(WECHATY_CHANNEL, contact.id))?.state === 'active') return;
      break;
    default:
      return;
  }
  const replies = await engine.handle({
    channel: WECHATY_CHANNEL,
    user: contact.id,
    time: now(),
    kind: 'event',
    event: 'follow',
  });
  await greet(contact, replies);
}
