import { vi } from 'vitest';
import { ScanStatus, WechatyBuilder, type Wechaty } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import type { WechatyChannel } from '../../src/wechaty/channel.ts';

export const BOT_NAME = 'OA Bot';
export const LOGIN_QR = 'https://login.example/qr/oasim-test';

type ContactMock = mock.ContactMock;
type RoomMock = mock.RoomMock;

/** Polls until `condition` holds, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  { timeoutMs = 8000, intervalMs = 10 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A simulated WeChat around a logged-in mock bot: people and rooms that talk to it, and what
 * the bot sent them as the other side sees it (texts) or as the puppet was asked (link cards,
 * which the mock puppet accepts but does not deliver).
 */
export interface MockWorld {
  mocker: mock.Mocker;
  puppet: PuppetMock;
  me: ContactMock;
  contact(name: string): ContactMock;
  room(topic: string, members: ContactMock[]): RoomMock;
  /** Texts the bot sent into this conversation, in order. */
  textsTo(conversation: ContactMock | RoomMock): string[];
  /** Link cards the bot sent into this conversation. */
  cardsTo(conversation: ContactMock | RoomMock): { url: string; title: string }[];
}

/** Logs the mock puppet in as the bot, once the bot is listening for the puppet's events. */
export async function logInMockBot(
  puppet: PuppetMock,
  isListening: () => boolean,
  isLoggedIn: () => boolean,
): Promise<MockWorld> {
  await waitFor(isListening, 'the bot to start');
  const { mocker } = puppet;
  const sendUrl = vi.spyOn(puppet, 'messageSendUrl');
  mocker.scan(LOGIN_QR, ScanStatus.Waiting);
  const me = mocker.createContact({ name: BOT_NAME });
  mocker.login(me);
  await waitFor(isLoggedIn, 'the bot to log in');

  const received = new Map<string, string[]>();
  const watch = <C extends ContactMock | RoomMock>(conversation: C): C => {
    conversation.on('message', (message) => {
      const { payload } = message;
      if (payload.talkerId !== me.id || payload.text === undefined) return;
      // A contact also hears its own room's messages; count each where it was sent.
      const to = 'roomId' in payload && payload.roomId ? payload.roomId : payload.listenerId;
      if (to !== conversation.id) return;
      received.set(conversation.id, [...(received.get(conversation.id) ?? []), payload.text]);
    });
    return conversation;
  };
  return {
    mocker,
    puppet,
    me,
    contact: (name) => watch(mocker.createContact({ name })),
    room: (topic, members) =>
      watch(mocker.createRoom({ topic, memberIdList: [me.id, ...members.map((m) => m.id)] })),
    textsTo: (conversation) => received.get(conversation.id) ?? [],
    cardsTo: (conversation) =>
      sendUrl.mock.calls
        .filter(([conversationId]) => conversationId === conversation.id)
        .map(([, payload]) => ({ url: payload.url, title: payload.title })),
  };
}

/** The mock world of a channel the service built from `WECHATY_PUPPET=wechaty-puppet-mock`. */
export function logInChannel(channel: WechatyChannel | undefined): Promise<MockWorld> {
  const puppet = channel?.puppet;
  if (!(puppet instanceof PuppetMock)) throw new Error('the channel does not run the mock puppet');
  return logInMockBot(
    puppet,
    () => channel!.state() === 'started',
    () => channel!.state() === 'logged-in',
  );
}

/** A bare Wechaty bot on the mock puppet, started and logged in, for sender tests. */
export async function startMockBot(): Promise<{ bot: Wechaty; world: MockWorld }> {
  const puppet = new PuppetMock({ mocker: new mock.Mocker() });
  const bot = WechatyBuilder.build({ puppet });
  bot.on('error', () => undefined);
  let started = false;
  await bot.start();
  started = true;
  const world = await logInMockBot(
    puppet,
    () => started,
    () => bot.isLoggedIn,
  );
  return { bot, world };
}
