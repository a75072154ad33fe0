import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MenuButton } from '../../src/content/rules.ts';
import {
  batchOpenIds,
  clientMsgIdFor,
  createWechatApiClient,
  type WechatApiOptions,
} from '../../src/wechat/api-client.ts';
import { WechatApiError } from '../../src/wechat/api-error.ts';
import { memoryLogger } from '../helpers/temp-service.ts';
import { startStubPlatform, type StubPlatform } from './stub-platform.ts';

const APP_ID = 'wxclienttest00001';
const SECRET = 'client-secret';
const TEXT = { type: 'text', text: 'hello' } as const;
const TOKEN_LIFETIME_S = 7200;
const KEY = 'broadcast-7:batch-1';

let stub: StubPlatform;
beforeEach(async () => {
  stub = await startStubPlatform();
});
afterEach(() => stub.close());

function client(options: Partial<WechatApiOptions> = {}) {
  return createWechatApiClient({
    baseUrl: stub.url,
    appId: APP_ID,
    appSecret: SECRET,
    log: memoryLogger().log,
    sleep: () => Promise.resolve(),
    ...options,
  });
}

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
};

describe('access token', () => {
  it('fetches the token once with appid and secret and reuses it', async () => {
    const api = client();
    await api.sendCustom('oA', TEXT);
    await api.sendCustom('oB', TEXT);
    const tokenCalls = stub.callsTo('token');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]?.query).toEqual({
      grant_type: 'client_credential',
      appid: APP_ID,
      secret: SECRET,
    });
    expect(stub.callsTo('message/custom/send').map((c) => c.query.access_token)).toEqual([
      'token-1',
      'token-1',
    ]);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    let clock = 0;
    const api = client({ now: () => clock });
    expect(await api.accessToken()).toBe('token-1');
    clock = (TOKEN_LIFETIME_S - 301) * 1000;
    expect(await api.accessToken()).toBe('token-1');
    clock = (TOKEN_LIFETIME_S - 299) * 1000;
    expect(await api.accessToken()).toBe('token-2');
  });

  it('fetches one token for many concurrent callers', async () => {
    const api = client();
    expect(new Set(await Promise.all(Array.from({ length: 10 }, () => api.accessToken())))).toEqual(
      new Set(['token-1']),
    );
    expect(stub.callsTo('token')).toHaveLength(1);
  });

  it.each([40001, 42001])(
    'refreshes once on %i and calls again, one refresh for all concurrent callers',
    async (errcode) => {
      const api = client();
      await api.accessToken();
      stub.expireToken('token-1', errcode);
      await Promise.all(['o1', 'o2', 'o3', 'o4', 'o5'].map((user) => api.sendCustom(user, TEXT)));
      expect(stub.callsTo('token')).toHaveLength(2);
      const tokens = stub.callsTo('message/custom/send').map((c) => c.query.access_token);
      expect(tokens.filter((t) => t === 'token-1')).toHaveLength(5);
      expect(tokens.filter((t) => t === 'token-2')).toHaveLength(5);
    },
  );
});

describe('retries', () => {
  it.each([
    ['a 5xx', { status: 502, json: {} }],
    ['-1 system busy', { json: { errcode: -1, errmsg: 'system error' } }],
    ['a timeout', { hangMs: 300 }],
  ])('retries %s with backoff and then succeeds', async (_what, failure) => {
    const pauses: number[] = [];
    const api = client({
      timeoutMs: 100,
      sleep: async (ms) => void pauses.push(ms),
      backoffMs: 50,
    });
    stub.script('message/custom/send', failure, failure);
    await api.sendCustom('oA', TEXT);
    expect(stub.callsTo('message/custom/send')).toHaveLength(3);
    expect(pauses).toEqual([50, 100]);
  });

  it('gives up after the last attempt with a typed error naming the call', async () => {
    const api = client({ attempts: 2 });
    stub.script('message/mass/get', { status: 503 }, { status: 503 });
    const error = await errorOf(api.massStatus('42'));
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({ call: 'message/mass/get', errcode: -1, httpStatus: 503 });
    expect(stub.callsTo('message/mass/get')).toHaveLength(2);
  });

  it.each([
    [45009, 'reach max api daily quota limit'],
    [40003, 'invalid openid'],
    [43004, 'require subscribe'],
  ])('does not retry errcode %i', async (errcode, errmsg) => {
    const api = client();
    stub.script('message/custom/send', { json: { errcode, errmsg } });
    const error = await errorOf(api.sendCustom('oA', TEXT));
    expect(error).toMatchObject({ call: 'message/custom/send', errcode, errmsg });
    expect(stub.callsTo('message/custom/send')).toHaveLength(1);
  });

  it('does not retry a 4xx, and never puts the access token in an error message', async () => {
    const api = client();
    stub.script('menu/create', { status: 404, json: { error: 'no route' } });
    const error = await errorOf(api.createMenu([]));
    expect(error).toMatchObject({ call: 'menu/create', errcode: -2, httpStatus: 404 });
    expect(String((error as Error).message)).not.toContain('token-');
    expect(stub.callsTo('menu/create')).toHaveLength(1);
  });
});

describe('mass send', () => {
  const openIds = (count: number) => Array.from({ length: count }, (_, i) => `o${i}`);

  it('sends an OpenID list with the clientmsgid and returns the msg_id', async () => {
    const api = client();
    const result = await api.massSend({ openIds: openIds(3), message: TEXT, clientMsgId: KEY });
    expect(result).toMatchObject({ msgId: expect.any(String), duplicate: false });
    expect(stub.callsTo('message/mass/send')[0]?.body).toEqual({
      touser: ['o0', 'o1', 'o2'],
      msgtype: 'text',
      text: { content: 'hello' },
      clientmsgid: KEY,
    });
  });

  it('counts 45065 "clientmsgid exist" as the earlier send, not as a failure', async () => {
    const api = client();
    stub.script('message/mass/send', {
      json: { errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 777 },
    });
    expect(await api.massSend({ openIds: openIds(2), message: TEXT, clientMsgId: KEY })).toEqual({
      msgId: '777',
      msgDataId: undefined,
      duplicate: true,
    });
  });

  it('refuses a list of fewer than 2 or more than 10,000 OpenIDs before calling', async () => {
    const api = client();
    await expect(
      api.massSend({ openIds: openIds(1), message: TEXT, clientMsgId: KEY }),
    ).rejects.toThrow(RangeError);
    await expect(
      api.massSend({ openIds: openIds(10_001), message: TEXT, clientMsgId: KEY }),
    ).rejects.toThrow(RangeError);
    expect(stub.callsTo('message/mass/send')).toEqual([]);
  });

  it('splits a long list into even batches of at most 10,000, each with its own clientmsgid', async () => {
    const api = client();
    const results = await api.massSendToOpenIds({
      openIds: openIds(20_001),
      message: TEXT,
      clientMsgId: KEY,
    });
    const calls = stub.callsTo('message/mass/send');
    expect(calls.map((c) => (c.body.touser as string[]).length)).toEqual([6667, 6667, 6667]);
    expect(calls.map((c) => c.body.clientmsgid)).toEqual([`${KEY}/1`, `${KEY}/2`, `${KEY}/3`]);
    expect(calls.flatMap((c) => c.body.touser as string[])).toEqual(openIds(20_001));
    expect(results.map((r) => r.openIds.length)).toEqual([6667, 6667, 6667]);
  });

  it('never leaves a batch under the 2-OpenID minimum', () => {
    expect(batchOpenIds(openIds(10_001)).map((b) => b.length)).toEqual([5001, 5000]);
    expect(batchOpenIds(openIds(10_000)).map((b) => b.length)).toEqual([10_000]);
  });

  it('keeps a clientmsgid within 64 characters', () => {
    expect(clientMsgIdFor(KEY)).toBe(KEY);
    expect(clientMsgIdFor('k'.repeat(65))).toHaveLength(40);
  });

  it('sends to all followers or a tag, previews, and reads the status', async () => {
    const api = client();
    await api.massSendAll({ message: TEXT, clientMsgId: KEY });
    await api.massSendAll({
      message: { type: 'mpnews', mediaId: 'MEDIA' },
      tagId: 2,
      clientMsgId: `${KEY}-t`,
    });
    expect(stub.callsTo('message/mass/sendall').map((c) => c.body)).toEqual([
      {
        filter: { is_to_all: true },
        msgtype: 'text',
        text: { content: 'hello' },
        clientmsgid: KEY,
      },
      {
        filter: { is_to_all: false, tag_id: 2 },
        msgtype: 'mpnews',
        mpnews: { media_id: 'MEDIA' },
        send_ignore_reprint: 0,
        clientmsgid: `${KEY}-t`,
      },
    ]);
    await api.massPreview({ openId: 'oA', message: TEXT });
    expect(stub.callsTo('message/mass/preview')[0]?.body).toEqual({
      touser: 'oA',
      msgtype: 'text',
      text: { content: 'hello' },
    });
    stub.script('message/mass/get', { json: { msg_id: 201053012, msg_status: 'SEND_SUCCESS' } });
    expect(await api.massStatus('201053012')).toEqual({
      msgId: '201053012',
      status: 'SEND_SUCCESS',
    });
  });
});

describe('customer-service messages and the menu', () => {
  it('sends a news card with the platform field names', async () => {
    const api = client();
    const article = {
      id: 'e',
      title: 'T',
      description: 'D',
      url: 'http://x.test/e',
      picUrl: 'http://x.test/e.jpg',
    };
    await api.sendCustom('oA', { type: 'articles', articles: [article] });
    expect(stub.callsTo('message/custom/send')[0]?.body).toEqual({
      touser: 'oA',
      msgtype: 'news',
      news: {
        articles: [
          { title: 'T', description: 'D', url: 'http://x.test/e', picurl: 'http://x.test/e.jpg' },
        ],
      },
    });
  });

  it('publishes the menu of messages/ in the platform JSON', async () => {
    const api = client();
    const menu: MenuButton[] = [
      { name: 'Latest', click: 'LATEST', replies: [{ latest: 5 }] },
      { name: 'More', subButtons: [{ name: 'Site', view: 'https://example.test/' }] },
    ];
    await api.createMenu(menu);
    expect(stub.callsTo('menu/create')[0]?.body).toEqual({
      button: [
        { type: 'click', name: 'Latest', key: 'LATEST' },
        {
          name: 'More',
          sub_button: [{ type: 'view', name: 'Site', url: 'https://example.test/' }],
        },
      ],
    });
  });
});
