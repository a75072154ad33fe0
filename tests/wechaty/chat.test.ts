import { afterEach, describe, expect, it, vi } from 'vitest';
import { types } from 'wechaty';
import { memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';
import { logInChannel, waitFor, type MockWorld } from './mock-world.ts';

const HELP_LINE = 'latest [N] / 最新';
const ABOUT_TEXT = 'This is the WeChat account of the Information Office';
const ABOUT_ENTRY_PATH = '/entries/account-launch';
const FOLLOW_GREETING = 'Welcome to the WeChat account';
const ROOM_PREFIX = '/oa';
const WECHATY = 'wechaty';

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
  vi.restoreAllMocks();
});

/** The real service over a temp folder, its bot on the mock puppet and logged in. */
async function startWithMockBot(env: Record<string, string> = {}) {
  const { log, lines } = memoryLogger('debug');
  running = await startTempService({
    env: { WECHATY_PUPPET: 'wechaty-puppet-mock', LOG_LEVEL: 'debug', ...env },
    log,
  });
  const world = await logInChannel(running.service.wechaty);
  const logged = (msg: string, match: Record<string, unknown> = {}) =>
    lines().some(
      (line) => line.msg === msg && Object.entries(match).every(([k, v]) => line[k] === v),
    );
  return { world, service: running.service, logged, lines };
}

const lastText = (world: MockWorld, to: Parameters<MockWorld['textsTo']>[0]) =>
  world.textsTo(to).at(-1) ?? '';

describe('the Wechaty channel, one to one', () => {
  it('answers "help" from a contact with the help text', async () => {
    const { world } = await startWithMockBot();
    const alice = world.contact('Alice');
    alice.say('help').to(world.me);
    await waitFor(() => world.textsTo(alice).length > 0, 'the help text');
    expect(lastText(world, alice)).toContain(HELP_LINE);
  });

  it('answers a keyword with its text and the article as a link card', async () => {
    const { world } = await startWithMockBot();
    const alice = world.contact('Alice');
    alice.say('about').to(world.me);
    await waitFor(() => world.cardsTo(alice).length > 0, 'the link card');
    expect(world.textsTo(alice)).toEqual([expect.stringContaining(ABOUT_TEXT)]);
    expect(world.cardsTo(alice)).toEqual([
      { url: expect.stringMatching(`${ABOUT_ENTRY_PATH}$`), title: expect.any(String) },
    ]);
  });

  it('ignores its own messages, messages from before it logged in, and official accounts', async () => {
    const { world, logged } = await startWithMockBot();
    const alice = world.contact('Alice');
    const news = world.mocker.createContact({ name: 'News', type: types.Contact.Official });

    world.me.say('help').to(alice);
    news.say('help').to(world.me);
    const old = world.mocker.MessageMock.create({
      id: 'message-from-before-login',
      talkerId: alice.id,
      listenerId: world.me.id,
      text: 'help',
      timestamp: Date.now() - 10 * 60 * 1000,
      type: types.Message.Text,
    });
    world.puppet.emit('message', { messageId: old.id });

    await waitFor(
      () =>
        logged('wechaty: message ignored', { reason: 'own message' }) &&
        logged('wechaty: message ignored', { reason: 'from an official account' }) &&
        logged('wechaty: message ignored', {
          reason: 'older than 2 minutes',
          messageId: old.id,
        }),
      'the three messages to be ignored',
    );
    // The only text Alice has from the bot is the one it sent itself: no answer to it.
    expect(world.textsTo(alice)).toEqual(['help']);
    expect(world.textsTo(news)).toEqual([]);
  });

  it('answers a message the puppet delivers twice only once', async () => {
    const { world, logged } = await startWithMockBot();
    const alice = world.contact('Alice');
    const message = world.mocker.MessageMock.create({
      id: 'message-delivered-twice',
      talkerId: alice.id,
      listenerId: world.me.id,
      text: 'help',
      timestamp: Date.now(),
      type: types.Message.Text,
    });
    world.puppet.emit('message', { messageId: message.id });
    world.puppet.emit('message', { messageId: message.id });
    await waitFor(
      () => logged('wechaty: message ignored', { reason: 'already seen', messageId: message.id }),
      'the second delivery to be ignored',
    );
    await waitFor(() => world.textsTo(alice).length > 0, 'the answer');
    expect(world.textsTo(alice)).toHaveLength(1);
  });

  it('logs a failure to answer and keeps answering the next message', async () => {
    const { world, service, logged } = await startWithMockBot();
    vi.spyOn(service.engine, 'handle').mockRejectedValueOnce(new Error('database is locked'));
    const alice = world.contact('Alice');
    alice.say('help').to(world.me);
    await waitFor(() => logged('wechaty: answering a message failed'), 'the failure to be logged');
    alice.say('help').to(world.me);
    await waitFor(() => world.textsTo(alice).length > 0, 'the second answer');
    expect(lastText(world, alice)).toContain(HELP_LINE);
  });
});

describe('the Wechaty channel in a room', () => {
  it('answers only when mentioned or addressed with the prefix', async () => {
    const { world, logged } = await startWithMockBot();
    const alice = world.contact('Alice');
    const room = world.room('Exchanges', [alice]);

    alice.say('help').to(room);
    await waitFor(
      () => logged('wechaty: message ignored', { reason: 'room message not for the bot' }),
      'the unaddressed message to be ignored',
    );
    expect(world.textsTo(room)).toEqual([]);

    alice.say(`@${'OA Bot'} help`, [world.me]).to(room);
    await waitFor(() => world.textsTo(room).length === 1, 'the answer to the mention');
    expect(lastText(world, room)).toContain(HELP_LINE);

    alice.say(`${ROOM_PREFIX} about`).to(room);
    await waitFor(() => world.cardsTo(room).length === 1, 'the answer to the prefix');
    expect(world.cardsTo(room)[0]?.url).toContain(ABOUT_ENTRY_PATH);
    // Alice asked in the room; nothing went to her own chat.
    expect(world.textsTo(alice)).toEqual([]);
  });

  it('subscribes the room itself, not the member who said "订阅"', async () => {
    const { world, service } = await startWithMockBot();
    const alice = world.contact('Alice');
    const room = world.room('Exchanges', [alice]);
    alice.say('@OA Bot 订阅', [world.me]).to(room);
    await waitFor(() => world.textsTo(room).length > 0, 'the subscription reply');
    expect((await service.subscribers.get(WECHATY, `room:${room.id}`))?.state).toBe('active');
    expect(await service.subscribers.get(WECHATY, alice.id)).toBeUndefined();
  });
});

describe('friend requests to the Wechaty channel', () => {
  const requestFriendship = async (world: MockWorld, from: { id: string }, id: string) => {
    await world.puppet.friendshipPayload(id, {
      id,
      contactId: from.id,
      hello: 'I would like to follow the account',
      ticket: `ticket-of-${id}`,
      type: types.Friendship.Receive,
      timestamp: Date.now(),
    });
    world.puppet.emit('friendship', { friendshipId: id });
  };

  it('accepts a friend request; the new friend gets the follow reply and becomes a subscriber', async () => {
    const { world, service } = await startWithMockBot();
    const accept = vi.spyOn(world.puppet, 'friendshipAccept');
    const bob = world.contact('Bob');
    await requestFriendship(world, bob, 'friendship-bob');
    await waitFor(() => world.textsTo(bob).length > 0, 'the follow reply');
    expect(accept).toHaveBeenCalledWith('friendship-bob');
    expect(lastText(world, bob)).toContain(FOLLOW_GREETING);
    expect((await service.subscribers.get(WECHATY, bob.id))?.state).toBe('active');
  });

  it('leaves friend requests to the operator when accepting is off', async () => {
    const { world, service, logged } = await startWithMockBot({ WECHATY_ACCEPT_FRIENDS: 'false' });
    const accept = vi.spyOn(world.puppet, 'friendshipAccept');
    const bob = world.contact('Bob');
    await requestFriendship(world, bob, 'friendship-bob');
    await waitFor(
      () => logged('wechaty: friend request left for the operator'),
      'the request to be left',
    );
    expect(accept).not.toHaveBeenCalled();
    expect(world.textsTo(bob)).toEqual([]);
    expect(await service.subscribers.get(WECHATY, bob.id)).toBeUndefined();
  });
});

describe('broadcasts through the Wechaty channel', () => {
  it('reach the contacts and rooms that subscribed by chatting', async () => {
    const BROADCAST = 'A new entry: the 2025 youth exchange programme';
    const { world, service } = await startWithMockBot({
      WECHATY_SEND_INTERVAL_MS: '0',
      WECHATY_SEND_JITTER_MS: '0',
    });
    const alice = world.contact('Alice');
    const carol = world.contact('Carol');
    const room = world.room('Exchanges', [carol]);
    alice.say('subscribe').to(world.me);
    carol.say('/oa subscribe').to(room);
    await waitFor(
      () => world.textsTo(alice).length === 1 && world.textsTo(room).length === 1,
      'both subscriptions',
    );

    const recipients = (await service.subscribers.list({ state: 'active' }))
      .filter((s) => s.channel === WECHATY)
      .map((s, index) => ({ deliveryId: index + 1, userId: s.userId }));
    expect(recipients.map((r) => r.userId).sort()).toEqual([alice.id, `room:${room.id}`].sort());

    const sender = service.wechaty!.sender;
    const results = [];
    for (const recipient of recipients)
      results.push(...(await sender.send({ type: 'text', text: BROADCAST }, [recipient], 'b1')));
    expect(results).toEqual([{ status: 'sent' }, { status: 'sent' }]);
    expect(lastText(world, alice)).toBe(BROADCAST);
    expect(lastText(world, room)).toBe(BROADCAST);
    expect(world.textsTo(carol)).toEqual([]);
  });
});
