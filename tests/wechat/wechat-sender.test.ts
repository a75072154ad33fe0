import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Recipient } from '../../src/broadcast/channel-sender.ts';
import { createWechatApiClient } from '../../src/wechat/api-client.ts';
import { createWechatSender } from '../../src/wechat/wechat-sender.ts';
import { memoryLogger } from '../helpers/temp-service.ts';
import { STUB_MEDIA_PREFIX, startStubPlatform, type StubPlatform } from './stub-platform.ts';

const KEY = 'broadcast-12/batch-3';
const ENTRY = {
  id: 'e1',
  title: 'New entry',
  description: 'd',
  url: 'http://x.test/entries/e1',
  picUrl: '',
};
const SECOND = { ...ENTRY, id: 'e2', title: 'Second entry', url: 'http://x.test/entries/e2' };
const INVALID_MEDIA_ID = 40007;
const INVALID_CREDENTIAL = 40001;
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
        msgtype: 'mpnews',
        mpnews: { media_id: expect.stringMatching(STUB_MEDIA_PREFIX) },
        send_ignore_reprint: 0,
        clientmsgid: KEY,
      },
    ]);
  });

  it('uploads article cards as news material with a thumb, then mass-sends that media_id', async () => {
    const s = sender();
    await s.send({ type: 'articles', articles: [ENTRY, SECOND] }, recipients(2), KEY);
    await s.send({ type: 'articles', articles: [ENTRY] }, recipients(2), `${KEY}-next`);
    // The thumb is uploaded once, as a multipart thumb material; the news on every send.
    const thumbs = stub.callsTo('material/add_material');
    expect(thumbs.map((c) => c.query.type)).toEqual(['thumb']);
    const uploads = stub.callsTo('media/uploadnews').map((c) => c.body.articles);
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toEqual([
      expect.objectContaining({
        title: ENTRY.title,
        content_source_url: ENTRY.url,
        digest: ENTRY.description,
        show_cover_pic: 0,
        thumb_media_id: expect.stringMatching(STUB_MEDIA_PREFIX),
        content: expect.stringContaining(ENTRY.url),
      }),
      expect.objectContaining({ title: SECOND.title, content_source_url: SECOND.url }),
    ]);
    const sent = stub.callsTo('message/mass/send').map((c) => c.body.mpnews);
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toEqual(sent[1]);
  });

  it('uploads a card once for all its mass sends (uploadnews allows 10 a day), again only when the platform forgot it', async () => {
    const s = sender();
    const card = { type: 'articles' as const, articles: [ENTRY, SECOND] };
    // One broadcast's card in three of the dispatcher's batches (each one mass send).
    const results = [];
    for (const [i, size] of [1_000, 1_000, 500].entries())
      results.push(...(await s.send(card, recipients(size), `${KEY}/${i}`)));
    await s.send(card, recipients(5), `${KEY}-later`);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['sent']));
    expect(stub.callsTo('media/uploadnews')).toHaveLength(1);
    const sent = stub.callsTo('message/mass/send').map((c) => c.body.mpnews);
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((m) => JSON.stringify(m))).size).toBe(1);
    // Three days on, the platform no longer knows the news: it is uploaded again, once, and sent.
    stub.script('message/mass/send', {
      json: { errcode: INVALID_MEDIA_ID, errmsg: 'invalid media_id' },
    });
    const again = await s.send(card, recipients(3), `${KEY}-days-later`);
    expect(again.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(stub.callsTo('media/uploadnews')).toHaveLength(2);
  });

  it('sends article cards to a lone recipient as a customer-service mpnews message', async () => {
    await sender().send({ type: 'articles', articles: [ENTRY] }, recipients(1), KEY);
    expect(stub.callsTo('message/custom/send')[0]?.body).toEqual({
      touser: 'oUser0',
      msgtype: 'mpnews',
      mpnews: { media_id: expect.stringMatching(STUB_MEDIA_PREFIX) },
    });
  });

  it('keeps a text reply as text, uploading nothing, to a list or to one', async () => {
    await sender().send({ type: 'text', text: 'hi' }, recipients(2), KEY);
    await sender().send({ type: 'text', text: 'hi' }, recipients(1), `${KEY}-1`);
    expect(stub.callsTo('message/mass/send')[0]?.body).toMatchObject({
      msgtype: 'text',
      text: { content: 'hi' },
    });
    expect(stub.callsTo('message/custom/send')[0]?.body).toMatchObject({ msgtype: 'text' });
    expect(stub.callsTo('media/uploadnews')).toEqual([]);
    expect(stub.callsTo('material/add_material')).toEqual([]);
  });

  it('uploads the thumb again, once, when the platform no longer knows it (40007)', async () => {
    const s = sender();
    await s.send({ type: 'articles', articles: [ENTRY] }, recipients(2), KEY);
    stub.script('media/uploadnews', {
      json: { errcode: INVALID_MEDIA_ID, errmsg: 'invalid media_id' },
    });
    const results = await s.send(
      { type: 'articles', articles: [SECOND] },
      recipients(2),
      `${KEY}b`,
    );
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(stub.callsTo('material/add_material')).toHaveLength(2);
    const thumbs = stub.callsTo('media/uploadnews').map((c) => c.body.articles);
    expect(thumbs).toHaveLength(3);
  });

  it('fails the batch, without sending, when the upload is refused again after a fresh thumb', async () => {
    stub.script(
      'media/uploadnews',
      { json: { errcode: INVALID_MEDIA_ID, errmsg: 'invalid media_id' } },
      { json: { errcode: INVALID_MEDIA_ID, errmsg: 'invalid media_id' } },
    );
    const results = await sender().send(
      { type: 'articles', articles: [ENTRY] },
      recipients(3),
      KEY,
    );
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(stub.callsTo('material/add_material')).toHaveLength(2);
    expect(stub.callsTo('message/mass/send')).toEqual([]);
  });

  it('pauses the batch on an account-level error while uploading the thumb or the news', async () => {
    for (const path of ['material/add_material', 'media/uploadnews']) {
      stub.script(path, { json: { errcode: INVALID_CREDENTIAL, errmsg: 'invalid credential' } });
      stub.script(path, { json: { errcode: INVALID_CREDENTIAL, errmsg: 'invalid credential' } });
      const results = await sender().send(
        { type: 'articles', articles: [ENTRY] },
        recipients(2),
        KEY,
      );
      expect(results.map((r) => r.status)).toEqual(['paused', 'paused']);
    }
    expect(stub.callsTo('message/mass/send')).toEqual([]);
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
