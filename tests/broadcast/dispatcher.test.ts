import { afterEach, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/broadcast/channel-sender.ts';
import { createInboxSender } from '../../src/broadcast/inbox-sender.ts';
import { createFakeSender } from '../helpers/fake-sender.ts';
import { FAN_OUT_DATABASES, type FanOutDatabase } from '../helpers/postgres.ts';
import {
  eventually,
  inboxOf,
  makeEntry,
  makeFixture,
  users,
  type Fixture,
} from '../helpers/broadcast-fixture.ts';

const NOW = '2025-01-06T00:00:00Z';
const ENTRIES = [makeEntry('news', '2025-01-05T00:00:00Z')];
const RETRY_BASE_MS = 1000;
const MAX_ATTEMPTS = 4;
const BLOCK_AFTER = 2;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const retry = { status: 'retry', error: 'system busy' } as const;
const setup = async (kind: FanOutDatabase, script: Record<string, SendResult[]>, dispatch = {}) => {
  fixture = await makeFixture({
    kind,
    entries: ENTRIES,
    start: NOW,
    dispatch: {
      retryBaseMs: RETRY_BASE_MS,
      maxAttempts: MAX_ATTEMPTS,
      blockAfterFailures: BLOCK_AFTER,
      ...dispatch,
    },
  });
  const sender = createFakeSender({ channel: 'api', script });
  fixture.broadcasting.register(sender);
  return { fixture, sender };
};

describe.each(FAN_OUT_DATABASES)('the dispatcher (%s)', (kind) => {
  it('retries a retryable failure with exponential backoff until the channel accepts it', async () => {
    const { fixture, sender } = await setup(kind, { bob: [retry, retry] });
    await fixture.subscribe('api', ['alice', 'bob']);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    const { dispatcher, store } = fixture.broadcasting;

    expect(await dispatcher.drain()).toMatchObject({ sent: 1, retried: 1 });
    fixture.clock.advance(RETRY_BASE_MS - 1);
    expect((await dispatcher.drain()).claimed).toBe(0);
    fixture.clock.advance(1);
    expect(await dispatcher.drain()).toMatchObject({ retried: 1 });
    // The second wait is twice the first.
    fixture.clock.advance(2 * RETRY_BASE_MS - 1);
    expect((await dispatcher.drain()).claimed).toBe(0);
    fixture.clock.advance(1);
    expect(await dispatcher.drain()).toMatchObject({ sent: 1 });

    expect(sender.seen()).toEqual(['alice', 'bob', 'bob', 'bob']);
    expect(await store.get(id)).toMatchObject({ status: 'done', counts: { sent: 2, failed: 0 } });
  });

  it('gives up after the last attempt and reports the delivery failed, without stopping the others', async () => {
    const { fixture } = await setup(kind, { bob: Array(MAX_ATTEMPTS).fill(retry) });
    await fixture.subscribe('api', ['alice', 'bob', 'carol']);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await fixture.broadcasting.dispatcher.drain();
      fixture.clock.advance(60 * 60 * 1000);
    }
    expect(await fixture.broadcasting.store.get(id)).toMatchObject({
      status: 'done',
      counts: { total: 3, sent: 2, failed: 1 },
    });
  });

  it('marks a subscriber who refused messages blocked and skips them in later broadcasts', async () => {
    const { fixture, sender } = await setup(kind, {
      bob: [{ status: 'blocked', error: 'user refused' }],
    });
    await fixture.subscribe('api', ['alice', 'bob']);
    await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ sent: 1, blocked: 1 });
    expect((await fixture.subscribers.get('api', 'bob'))?.state).toBe('blocked');

    fixture.library.add(makeEntry('more-news', '2025-01-05T12:00:00Z'));
    const second = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(second.counts.total).toBe(1);
    await fixture.broadcasting.dispatcher.drain();
    expect(sender.seen()).toEqual(['alice', 'bob', 'alice']);
  });

  it('blocks a subscriber after consecutive failed deliveries, and a sent one resets the count', async () => {
    const failed = { status: 'failed', error: 'invalid openid', recipient: true } as const;
    const { fixture } = await setup(kind, {
      bob: [failed, failed],
      carol: [failed, { status: 'sent' }, failed],
    });
    await fixture.subscribe('api', ['bob', 'carol']);
    for (const id of ['n1', 'n2', 'n3']) {
      fixture.library.add(makeEntry(id, '2025-01-05T06:00:00Z'));
      await fixture.broadcasting.broadcastNow({ kind: 'manual', entryIds: [id] });
      await fixture.broadcasting.dispatcher.drain();
    }
    expect((await fixture.subscribers.get('api', 'bob'))?.state).toBe('blocked');
    expect(await fixture.subscribers.get('api', 'carol')).toMatchObject({
      state: 'active',
      failures: 1,
    });
  });

  it('skips a delivery whose subscriber unsubscribed before its turn', async () => {
    const { fixture, sender } = await setup(kind, {});
    await fixture.subscribe('api', ['alice', 'bob']);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.subscribers.save('api', 'bob', { state: 'unsubscribed' }, fixture.clock.now());
    await fixture.broadcasting.dispatcher.drain();
    expect(sender.seen()).toEqual(['alice']);
    expect((await fixture.broadcasting.store.get(id))?.counts).toMatchObject({
      sent: 1,
      skipped: 1,
    });
  });

  it('retries a whole batch when the channel throws', async () => {
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: NOW,
      dispatch: { retryBaseMs: RETRY_BASE_MS },
    });
    let calls = 0;
    fixture.broadcasting.register({
      channel: 'api',
      maxBatch: 10,
      async send(_reply, recipients) {
        if (calls++ === 0) throw new Error('connection reset');
        return recipients.map(() => ({ status: 'sent' as const }));
      },
    });
    await fixture.subscribe('api', users('u', 5));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ retried: 5 });
    fixture.clock.advance(RETRY_BASE_MS);
    expect(await fixture.broadcasting.dispatcher.drain()).toMatchObject({ sent: 5 });
    expect((await fixture.broadcasting.store.get(id))?.status).toBe('done');
  });

  it('takes over a batch whose claim ran out and sends it again with the same idempotency key', async () => {
    const LEASE_MS = 30_000;
    fixture = await makeFixture({
      kind,
      entries: ENTRIES,
      start: NOW,
      dispatch: { leaseMs: LEASE_MS },
    });
    const crashed = createFakeSender({ channel: 'api' });
    // A process that claims and then dies: its send never returns.
    crashed.send = (reply, recipients, key) => {
      crashed.calls.push({ reply, recipients, idempotencyKey: key });
      return new Promise(() => undefined);
    };
    fixture.broadcasting.register(crashed);
    await fixture.subscribe('api', users('u', 3));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    void fixture.broadcasting.dispatcher.step();
    await eventually(() => crashed.calls.length > 0, 'the first claim');
    expect(crashed.calls).toHaveLength(1);

    const { createDispatcher } = await import('../../src/broadcast/dispatcher.ts');
    const { createDispatchStore } = await import('../../src/broadcast/dispatch-store.ts');
    const { createLogger } = await import('../../src/log/logger.ts');
    const survivor = createDispatcher({
      deliveries: createDispatchStore(fixture.storage),
      store: fixture.broadcasting.store,
      log: createLogger({ level: 'silent' }),
      defaultTimeZone: 'UTC',
      now: fixture.clock.now,
      leaseMs: LEASE_MS,
    });
    const second = createFakeSender({ channel: 'api' });
    survivor.register(second);
    expect((await survivor.drain()).claimed).toBe(0);
    fixture.clock.advance(LEASE_MS);
    expect(await survivor.drain()).toMatchObject({ sent: 3 });
    expect(second.calls[0]?.idempotencyKey).toBe(crashed.calls[0]?.idempotencyKey);
    expect((await fixture.broadcasting.store.get(id))?.status).toBe('done');
  });

  it('delivers into the simulated inbox once per delivery, even when a batch is sent twice', async () => {
    fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
    const inboxSender = createInboxSender(fixture.storage, 'api', { now: fixture.clock.now });
    fixture.broadcasting.register(inboxSender);
    await fixture.subscribe('api', ['alice']);
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();
    const [delivery] = await fixture.sql<{ id: number }>(
      `SELECT id FROM deliveries WHERE user_id = 'alice'`,
    );
    const recipients = [{ deliveryId: Number(delivery!.id), userId: 'alice' }];
    await inboxSender.send({ type: 'text', text: 'again' }, recipients, `b${id}-again`);

    const items = await inboxOf(fixture, 'api', 'alice');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ source: `broadcast:${id}`, reply: { type: 'articles' } });
  });

  it('records the platform msg_id of a batch and its MASSSENDJOBFINISH counts in the report', async () => {
    fixture = await makeFixture({ kind, entries: ENTRIES, start: NOW });
    fixture.broadcasting.register(createFakeSender({ channel: 'wechat', msgId: () => '1000001' }));
    await fixture.subscribe('wechat', users('o', 3));
    const { id } = await fixture.broadcasting.broadcastNow({ kind: 'manual' });
    await fixture.broadcasting.dispatcher.drain();

    const PLATFORM = { total: 3, sent: 2, failed: 0, filtered: 1 };
    expect(await fixture.broadcasting.recordMassSendReport('1000001', PLATFORM)).toBe(id);
    expect(await fixture.broadcasting.recordMassSendReport('unknown', PLATFORM)).toBeUndefined();
    expect((await fixture.broadcasting.store.get(id))?.platform).toEqual(PLATFORM);
  });
});
