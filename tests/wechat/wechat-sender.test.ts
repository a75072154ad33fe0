import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Recipient } from '../../src/broadcast/channel-sender.ts';
import { createWechatApiClient } from '../../src/wechat/api-client.ts';
import { createWechatSender } from '../../src/wechat/wechat-sender.ts';
import { memoryLogger } from '../helpers/temp-service.ts';
import { startStubPlatform, type StubPlatform } from './stub-platform.ts';

const KEY = 'broadcast-12/batch-3';
const ENTRY = {
  id: 'e1',
  title: 'New entry',
  description: 'd',
  url: 'http://x.test/entries/e1',
  picUrl: '',
};
const ENTRY_AS_TEXT = `1. New entry\n${ENTRY.url}`;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

let stub: StubPlatform;
beforeEach(async () => {
  stub = await startStubPlatform();
});
afterEach(() => stub.close());

const sender = () =>
  createWechatSender(
    createWechatApiClient({
      baseUrl: stub.url,
      appId: 'wxsender',
      appSecret: 's',
      log: memoryLogger().log,
      attempts: 1, // the dispatcher retries; here the mapping shows on the first error
    }),
  );
const recipients = (count: number): Recipient[] =>
  Array.from({ length: count }, (_, i) => ({ deliveryId: i + 1, userId: `oUser${i}` }));

describe('createWechatSender', () => {
  it('is the wechat channel, taking up to 10,000 recipients a batch', () => {
    expect(sender()).toMatchObject({ channel: 'wechat', maxBatch: 10_000 });
  });

  it('sends a batch as one mass/send with the idempotency key as clientmsgid', async () => {
    const results = await sender().send(
      { type: 'articles', articles: [ENTRY] },
      recipients(3),
      KEY,
    );
    // Every recipient carries the platform's msg_id, which MASSSENDJOBFINISH will name.
    expect(results).toEqual(
      Array(3).fill({ status: 'sent', msgId: expect.stringMatching(/^\d+$/) }),
    );
    expect(stub.callsTo('message/mass/send').map((c) => c.body)).toEqual([
      {
        touser: ['oUser0', 'oUser1', 'oUser2'],
        msgtype: 'text',
        text: { content: ENTRY_AS_TEXT },
        clientmsgid: KEY,
      },
    ]);
  });

  it('sends a batch of one as a customer-service message, since mass/send needs two', async () => {
    expect(await sender().send({ type: 'text', text: 'hi' }, recipients(1), KEY)).toEqual([
      { status: 'sent' },
    ]);
    expect(stub.callsTo('message/custom/send')[0]?.body).toEqual({
      touser: 'oUser0',
      msgtype: 'text',
      text: { content: 'hi' },
    });
    expect(stub.callsTo('message/mass/send')).toEqual([]);
  });

  it('counts a batch the platform already had under this clientmsgid (45065) as sent', async () => {
    stub.script('message/mass/send', {
      json: { errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 9 },
    });
    expect(await sender().send({ type: 'text', text: 'hi' }, recipients(2), KEY)).toEqual([
      { status: 'sent', msgId: '9' },
      { status: 'sent', msgId: '9' },
    ]);
  });

  it.each([
    [43004, 'require subscribe', 'blocked'],
    [43019, 'require remove blacklist', 'blocked'],
    [40003, 'invalid openid', 'blocked'],
    [45015, 'response out of time limit', 'failed'],
  ])('settles a lone recipient refused with %i (%s) as %s', async (errcode, errmsg, status) => {
    stub.script('message/custom/send', { json: { errcode, errmsg } });
    const [result] = await sender().send({ type: 'text', text: 'hi' }, recipients(1), KEY);
    expect(result).toMatchObject({ status, error: `message/custom/send: ${errcode} ${errmsg}` });
    // Only an error that names the recipient may count against them.
    if (result?.status === 'failed') expect(result.recipient).toBeFalsy();
  });

  it.each([
    [40001, 'invalid credential'],
    [40013, 'invalid appid'],
    [40125, 'invalid appsecret'],
    [42001, 'access_token expired'],
    [40164, 'invalid ip, not in whitelist'],
    [61004, 'access clientip is not registered'],
    [45009, 'reach max api daily quota limit'],
    [45028, 'has no masssend quota'],
    [-1, 'system error'],
  ])(
    'pauses the channel for an account-level error %i (%s), alone or in a list',
    async (errcode, errmsg) => {
      for (const count of [1, 3]) {
        const call = count === 1 ? 'message/custom/send' : 'message/mass/send';
        stub.script(call, { json: { errcode, errmsg } }, { json: { errcode, errmsg } });
        const results = await sender().send({ type: 'text', text: 'hi' }, recipients(count), KEY);
        expect(results).toHaveLength(count);
        for (const result of results) expect(result).toMatchObject({ status: 'paused', errcode });
      }
    },
  );

  it('fails, rather than blocks, a whole list the platform refused for one unknown OpenID', async () => {
    stub.script('message/mass/send', { json: { errcode: 40003, errmsg: 'invalid openid' } });
    const results = await sender().send({ type: 'text', text: 'hi' }, recipients(2), KEY);
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed']);
  });

  it('pauses for as long as the quota asks, and pauses on 5xx and timeouts', async () => {
    stub.script(
      'message/mass/send',
      { json: { errcode: 45009, errmsg: 'reach max api daily quota limit' } },
      { status: 502 },
    );
    const [quota] = await sender().send({ type: 'text', text: 'hi' }, recipients(2), KEY);
    expect(quota).toMatchObject({ status: 'paused', retryAfterMs: HOUR_MS });
    const [busy] = await sender().send({ type: 'text', text: 'hi' }, recipients(2), KEY);
    expect(busy).toMatchObject({ status: 'paused', errcode: -1 });
  });

  it('retries a batch whose clientmsgid was sent again too fast (45066), a minute later', async () => {
    stub.script('message/mass/send', {
      json: { errcode: 45066, errmsg: 'same clientmsgid retry too fast' },
    });
    const [result] = await sender().send({ type: 'text', text: 'hi' }, recipients(2), KEY);
    expect(result).toMatchObject({ status: 'retry', retryAfterMs: MINUTE_MS });
  });
});
