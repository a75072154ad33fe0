import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelSender, SendResult } from '../../src/broadcast/channel-sender.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { DATABASES, type DatabaseKind } from '../helpers/postgres.ts';
import { makeEntry, makeFixture, users, type Fixture } from '../helpers/broadcast-fixture.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [makeEntry('news', '2025-01-05T00:00:00Z')];
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;
const BLOCK_AFTER = 2;
const MAX_ATTEMPTS = 3;
const ROUNDS = 12;
const AUDIENCE = 5;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** A channel whose account the platform refuses until `refusing` is turned off. */
function refusedChannel(channel: string, refusal: SendResult) {
  const state = { refusing: true, calls: 0 };
  const sender: ChannelSender = {
    channel,
    maxBatch: 2,
    async send(_reply, recipients) {
      state.calls++;
      return recipients.map(() => (state.refusing ? refusal : { status: 'sent' }));
    },
  };
  return { sender, state };
}

const setup = async (kind: DatabaseKind) => {
  fixture = await makeFixture({
    kind,
    entries: ENTRIES,
    start: NOW,
    dispatch: {
      retryBaseMs: RETRY_BASE_MS,
      retryMaxMs: RETRY_MAX_MS,
      blockAfterFailures: BLOCK_AFTER,
      maxAttempts: MAX_ATTEMPTS,
    },
  });
  return fixture;
};

const attemptsOf = async (fixture: Fixture) =>
  (await fixture.sql<{ most: number }>('SELECT max(attempts) AS most FROM deliveries'))[0]!;

describe.each(DATABASES)('an account-level error (%s)', (kind) => {
  it.each([
    [40125, 'invalid appsecret'],
    [40001, 'invalid credential'],
    [40164, 'invalid ip, not in whitelist'],
    [45009, 'reach max api daily quota limit'],
    [-1, 'system error'],
  ])(
    'with errcode %i (%s) never blocks anyone, however many rounds, and dispatch resumes when it stops',
    async (errcode, errmsg) => {
      const fixture = await setup(kind);
      const { sender, state } = refusedChannel('wechat', {
        status: 'paused',
        error: `message/mass/send: ${errcode} ${errmsg}`,
        errcode,
      });
      fixture.broadcasting.register(sender);
      await fixture.subscribe('wechat', users('o', AUDIENCE));
      const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });

      for (let round = 0; round < ROUNDS; round++) {
        await fixture.broadcasting.dispatcher.drain();
        fixture.clock.advance(RETRY_MAX_MS);
      }
      expect(state.calls).toBeGreaterThanOrEqual(ROUNDS);
      for (const user of users('o', AUDIENCE))
        expect(await fixture.subscribers.get('wechat', user)).toMatchObject({
          state: 'active',
          failures: 0,
        });
      expect((await attemptsOf(fixture)).most).toBe(0);
      const paused = (await fixture.broadcasting.store.get(id))!;
      expect(paused).toMatchObject({
        status: 'sending',
        counts: { failed: 0, pending: AUDIENCE },
        channelErrors: { wechat: { errcode, error: `message/mass/send: ${errcode} ${errmsg}` } },
      });

      state.refusing = false;
      fixture.clock.advance(RETRY_MAX_MS);
      await fixture.broadcasting.dispatcher.drain();
      expect(await fixture.broadcasting.store.get(id)).toMatchObject({
        status: 'done',
        counts: { sent: AUDIENCE, failed: 0 },
      });
    },
  );

  it('pauses only its channel, with a backoff that grows, while the others go on', async () => {
    const fixture = await setup(kind);
    const { sender, state } = refusedChannel('wechat', {
      status: 'paused',
      error: 'token refused',
      errcode: 40001,
    });
    const api = createFakeSender({ channel: 'api' });
    fixture.broadcasting.register(sender);
    fixture.broadcasting.register(api);
    await fixture.subscribe('wechat', users('o', 1));
    await fixture.subscribe('api', users('a', 2));
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });

    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ sent: 2, paused: 1 });
    expect(state.calls).toBe(1);
    // Paused for the first backoff: nothing is tried before it ends.
    fixture.clock.advance(RETRY_BASE_MS - 1);
    await fixture.broadcasting.dispatcher.drain();
    expect(state.calls).toBe(1);
    fixture.clock.advance(1);
    await fixture.broadcasting.dispatcher.drain();
    expect(state.calls).toBe(2);
    // The second pause is twice as long.
    fixture.clock.advance(2 * RETRY_BASE_MS - 1);
    await fixture.broadcasting.dispatcher.drain();
    expect(state.calls).toBe(2);
    fixture.clock.advance(1);
    await fixture.broadcasting.dispatcher.drain();
    expect(state.calls).toBe(3);
  });
});

describe.each(DATABASES)('errors that do or do not name the recipient (%s)', (kind) => {
  it('blocks the one recipient an error names (43004 for a lone recipient), and no one else', async () => {
    const fixture = await setup(kind);
    const sender = createFakeSender({
      channel: 'wechat',
      script: {
        o1: [{ status: 'blocked', error: 'message/custom/send: 43004 require subscribe' }],
      },
    });
    fixture.broadcasting.register(sender);
    await fixture.subscribe('wechat', users('o', 3));
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ sent: 2, blocked: 1 });
    expect((await fixture.subscribers.get('wechat', 'o1'))?.state).toBe('blocked');
    for (const user of ['o0', 'o2'])
      expect((await fixture.subscribers.get('wechat', user))?.state).toBe('active');
  });

  it('counts neither a failure that does not name the recipient nor retries run out', async () => {
    const fixture = await setup(kind);
    const retry = { status: 'retry', error: 'say() failed' } as const;
    const sender = createFakeSender({
      channel: 'api',
      script: {
        a0: [{ status: 'failed', error: 'message/custom/send: 45015 out of time' }],
        a1: Array(MAX_ATTEMPTS).fill(retry),
      },
    });
    fixture.broadcasting.register(sender);
    await fixture.subscribe('api', users('a', 2));
    for (const id of ['n1', 'n2', 'n3']) {
      fixture.library.add(makeEntry(id, '2025-01-05T06:00:00Z'));
      await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: [id] });
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        await fixture.broadcasting.dispatcher.drain();
        fixture.clock.advance(RETRY_MAX_MS);
      }
    }
    for (const user of users('a', 2))
      expect(await fixture.subscribers.get('api', user)).toMatchObject({
        state: 'active',
        failures: 0,
      });
  });
});
