import { afterEach, describe, expect, it, vi } from 'vitest';
import { WechatyBuilder, type Wechaty } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import type { ChannelSender, SendResult } from '../../src/broadcast/channel-sender.ts';
import type { Reply } from '../../src/engine/types.ts';
import type { Clock } from '../../src/wechaty/pace.ts';
import { articlesText } from '../../src/wechaty/say-reply.ts';
import { createWechatySender, NOT_LOGGED_IN_RETRY_MS } from '../../src/wechaty/sender.ts';
import { startMockBot, type MockWorld } from './mock-world.ts';

const INTERVAL_MS = 2000;
const JITTER_MS = 1000;
const RANDOM = 0.25;
const EXPECTED_GAP_MS = INTERVAL_MS + RANDOM * JITTER_MS;

const NEWS: Reply = { type: 'text', text: 'A new entry: the 2025 youth exchange programme' };
const ARTICLE = {
  id: 'youth-exchange-programme',
  title: 'Youth exchange programme',
  description: 'Young politicians from 30 countries',
  url: 'https://oa.example/entries/youth-exchange-programme',
  picUrl: 'https://oa.example/covers/youth.png',
};
const ARTICLES: Reply = { type: 'articles', articles: [ARTICLE] };
const UNSUPPORTED = 'Wechaty Puppet Unsupported API Error.';

let bots: Wechaty[] = [];
afterEach(async () => {
  await Promise.all(bots.map((bot) => bot.stop()));
  bots = [];
  vi.restoreAllMocks();
});

async function loggedInBot(): Promise<{ bot: Wechaty; world: MockWorld }> {
  const started = await startMockBot();
  bots.push(started.bot);
  return started;
}

/** Fake time: sleeping moves it on at once. */
function fakeClock(): Clock {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

/**
 * Drives a sender the way the broadcast dispatcher does: batches of `maxBatch`, the sender's
 * `pace` honoured between calls, a send that throws taken as a retry for its batch.
 */
async function dispatch(
  sender: ChannelSender,
  reply: Reply,
  userIds: string[],
  clock: Clock,
): Promise<Record<string, SendResult['status']>> {
  const outcome: Record<string, SendResult['status']> = {};
  const recipients = userIds.map((userId, index) => ({ deliveryId: index + 1, userId }));
  for (let start = 0; start < recipients.length; start += sender.maxBatch) {
    if (start > 0 && sender.pace) await clock.sleep(sender.pace.intervalMs);
    const batch = recipients.slice(start, start + sender.maxBatch);
    const results = await sender
      .send(reply, batch, `broadcast-1:${start}`)
      .catch(() => batch.map(() => ({ status: 'retry' as const, error: 'send threw' })));
    batch.forEach((recipient, i) => (outcome[recipient.userId] = results[i]!.status));
  }
  return outcome;
}

/** The fake time at which each text left through the puppet. */
function sendTimes(puppet: PuppetMock, clock: Clock): number[] {
  const times: number[] = [];
  const original = puppet.messageSendText.bind(puppet);
  vi.spyOn(puppet, 'messageSendText').mockImplementation(async (conversationId, text) => {
    times.push(clock.now());
    return original(conversationId, text);
  });
  return times;
}

/** A sender at the test's pace, with its jitter fixed. */
const pacedSender = (bot: Parameters<typeof createWechatySender>[0], clock: Clock) =>
  createWechatySender(bot, {
    intervalMs: INTERVAL_MS,
    jitterMs: JITTER_MS,
    clock,
    random: () => RANDOM,
  });

describe('the Wechaty broadcast sender', () => {
  it('takes one recipient a call and declares its pace to the dispatcher', async () => {
    const { bot } = await loggedInBot();
    const sender = createWechatySender(bot, { intervalMs: INTERVAL_MS, jitterMs: JITTER_MS });
    expect(sender).toMatchObject({
      channel: 'wechaty',
      maxBatch: 1,
      pace: { intervalMs: INTERVAL_MS, jitterMs: JITTER_MS },
    });
  });

  it('reaches a contact and a room at the configured pace, driven like the dispatcher', async () => {
    const { bot, world } = await loggedInBot();
    const clock = fakeClock();
    const times = sendTimes(world.puppet, clock);
    const sender = pacedSender(bot, clock);
    const alice = world.contact('Alice');
    const bob = world.contact('Bob');
    const room = world.room('Exchanges', [bob]);

    const outcome = await dispatch(sender, NEWS, [alice.id, `room:${room.id}`, bob.id], clock);

    expect(outcome).toEqual({ [alice.id]: 'sent', [`room:${room.id}`]: 'sent', [bob.id]: 'sent' });
    expect(world.textsTo(alice)).toEqual([NEWS.type === 'text' && NEWS.text]);
    expect(world.textsTo(room)).toEqual([NEWS.type === 'text' && NEWS.text]);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([EXPECTED_GAP_MS, EXPECTED_GAP_MS]);
  });

  it('keeps the pace by itself when a caller sends without waiting', async () => {
    const { bot, world } = await loggedInBot();
    const clock = fakeClock();
    const times = sendTimes(world.puppet, clock);
    const sender = pacedSender(bot, clock);
    const people = ['Alice', 'Bob', 'Carol'].map((name) => world.contact(name));
    await Promise.all(
      people.map((p, i) => sender.send(NEWS, [{ deliveryId: i, userId: p.id }], `k${i}`)),
    );
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([EXPECTED_GAP_MS, EXPECTED_GAP_MS]);
  });

  it('goes on to the others when the puppet throws for one recipient, and asks to retry that one', async () => {
    const { bot, world } = await loggedInBot();
    const alice = world.contact('Alice');
    const bob = world.contact('Bob');
    const room = world.room('Exchanges', [alice]);
    const original = world.puppet.messageSendText.bind(world.puppet);
    vi.spyOn(world.puppet, 'messageSendText').mockImplementation(async (conversationId, text) => {
      if (conversationId === bob.id) throw new Error('puppet service unavailable');
      return original(conversationId, text);
    });
    const clock = fakeClock();
    const sender = createWechatySender(bot, { clock });

    const outcome = await dispatch(sender, NEWS, [alice.id, bob.id, `room:${room.id}`], clock);

    expect(outcome).toEqual({ [alice.id]: 'sent', [bob.id]: 'retry', [`room:${room.id}`]: 'sent' });
    expect(world.textsTo(alice)).toHaveLength(1);
    expect(world.textsTo(room)).toHaveLength(1);
  });

  it('marks a contact or room that no longer exists, and a contact that is no longer a friend, as blocked', async () => {
    const { bot, world } = await loggedInBot();
    const former = world.mocker.createContact({ name: 'Former friend', friend: false });
    const sender = createWechatySender(bot, { clock: fakeClock() });
    const send = (userId: string) => sender.send(NEWS, [{ deliveryId: 1, userId }], 'k');

    expect(await send('contact-that-is-gone')).toEqual([
      { status: 'blocked', error: 'the contact no longer exists' },
    ]);
    expect(await send('room:room-that-is-gone@chatroom')).toEqual([
      { status: 'blocked', error: 'the room no longer exists' },
    ]);
    expect(await send(former.id)).toEqual([
      { status: 'blocked', error: 'the contact is no longer a friend' },
    ]);
  });

  it('sends articles as link cards, and as text once the puppet says it cannot send links', async () => {
    const { bot, world } = await loggedInBot();
    const alice = world.contact('Alice');
    const sender = createWechatySender(bot, { clock: fakeClock() });

    expect(await sender.send(ARTICLES, [{ deliveryId: 1, userId: alice.id }], 'k1')).toEqual([
      { status: 'sent' },
    ]);
    expect(world.cardsTo(alice)).toEqual([{ url: ARTICLE.url, title: ARTICLE.title }]);

    // The world already spies on messageSendUrl (it records cards); count from here.
    const sendUrl = vi
      .spyOn(world.puppet, 'messageSendUrl')
      .mockRejectedValue(new Error(UNSUPPORTED));
    const cardsBefore = sendUrl.mock.calls.length;
    for (const key of ['k2', 'k3'])
      expect(await sender.send(ARTICLES, [{ deliveryId: 2, userId: alice.id }], key)).toEqual([
        { status: 'sent' },
      ]);
    expect(world.textsTo(alice)).toEqual([articlesText([ARTICLE]), articlesText([ARTICLE])]);
    expect(sendUrl.mock.calls.length - cardsBefore).toBe(1);
  });

  it('pauses the channel, blaming no recipient, while the bot is not logged in', async () => {
    const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker: new mock.Mocker() }) });
    bot.on('error', () => undefined);
    bots.push(bot);
    await bot.start();
    const sender = createWechatySender(bot);
    expect(await sender.send(NEWS, [{ deliveryId: 1, userId: 'anyone' }], 'k')).toEqual([
      { status: 'paused', error: 'the bot is not logged in', retryAfterMs: NOT_LOGGED_IN_RETRY_MS },
    ]);
  });
});
