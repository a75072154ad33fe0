import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';
import {
  ACCOUNT,
  AES_KEY,
  APP_ID,
  encryptedRequest,
  eventXml,
  messageXml,
  nextMsgId,
  OLD_AES_KEY,
  opensslDecrypt,
  platformXml,
  postCallback,
  replyFields,
  sign,
  signedQuery,
  TOKEN,
} from './platform.ts';
import { startStubPlatform, type StubPlatform } from './stub-platform.ts';

const USER = 'oUser_0123456789abcdefghijkl';
const ECHO = 'echo-4711';
const HELP_LINE = 'latest [N] / 最新';
const FOLLOW_GREETING = 'Welcome to the WeChat account';
const ABOUT_TEXT = 'This is the WeChat account of the Information Office';
const ABOUT_ENTRY_TITLE = 'WeChat Public Account of the IDCPC Information Office Launched';
const NO_REPLY = 'success';
/** The LATEST menu button answers `latest: 5` (messages/rules.yaml). */
const LATEST_MENU_CARDS = 5;
const PLAIN_ENV = { WECHAT_TOKEN: TOKEN };
const SAFE_ENV = {
  WECHAT_TOKEN: TOKEN,
  WECHAT_ENCRYPT_MODE: 'safe',
  WECHAT_AES_KEY: AES_KEY,
  WECHAT_APPID: APP_ID,
};
const SIX_MINUTES_MS = 6 * 60_000;

let running: TempService | undefined;
let stub: StubPlatform | undefined;
afterEach(async () => {
  await running?.cleanup();
  await stub?.close();
  running = stub = undefined;
});

/** What the engine was given, as its conversation log recorded it (written in groups: flushed first). */
const inboundRows = async (service: TempService) => {
  await service.service.conversations.flush();
  return service.service
    .db!.prepare<[], { body: string }>(
      "SELECT body FROM conversation_log WHERE direction = 'in' ORDER BY id",
    )
    .all()
    .map((row) => JSON.parse(row.body) as Record<string, unknown>);
};

describe('GET /wechat (URL verification)', () => {
  it('answers echostr unchanged as text/plain when the signature matches', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const { query } = signedQuery({}, { echostr: ECHO });
    const res = await fetch(`${running.url}/wechat?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(ECHO);
  });

  it('refuses with 401 and never echoes when the signature or the timestamp is wrong', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const forged = signedQuery({ token: 'wrongtoken' }, { echostr: ECHO }).query;
    const stale = signedQuery(
      { at: new Date(Date.now() - SIX_MINUTES_MS) },
      { echostr: ECHO },
    ).query;
    for (const query of [forged, stale]) {
      const res = await fetch(`${running.url}/wechat?${query}`);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(ECHO);
    }
  });

  it('does not serve /wechat in production until WECHAT_TOKEN is set, and says so in the log', async () => {
    const { log, lines } = memoryLogger();
    running = await startTempService({ env: { NODE_ENV: 'production' }, log });
    const { query } = signedQuery({ token: 'oasimdevtoken' }, { echostr: ECHO });
    expect((await fetch(`${running.url}/wechat?${query}`)).status).toBe(404);
    expect(lines().map((line) => line.msg)).toContain(
      'WeChat callback off: set WECHAT_TOKEN to serve /wechat',
    );
  });

  it('uses the development token when WECHAT_TOKEN is unset outside production', async () => {
    running = await startTempService();
    const { query } = signedQuery({ token: 'oasimdevtoken' }, { echostr: ECHO });
    expect(await (await fetch(`${running.url}/wechat?${query}`)).text()).toBe(ECHO);
  });
});

describe('POST /wechat in plaintext mode', () => {
  it('answers a text message with a passive text reply, sender and recipient swapped', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const before = Math.floor(Date.now() / 1000);
    const res = await postCallback(running.url, messageXml(USER, 'text', { Content: 'help' }));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/xml/);
    expect(res.text.startsWith('<xml>')).toBe(true);
    const reply = replyFields(res.text);
    expect(reply).toMatchObject({ ToUserName: USER, FromUserName: ACCOUNT, MsgType: 'text' });
    expect(Number(reply.CreateTime)).toBeGreaterThanOrEqual(before);
    expect(reply.Content).toContain(HELP_LINE);
  });

  it('answers a voice message with speech recognition as text, and one without as media', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const recognised = await postCallback(
      running.url,
      messageXml(USER, 'voice', { MediaId: 'm1', Format: 'amr', Recognition: 'help' }),
    );
    expect(replyFields(recognised.text).Content).toContain(HELP_LINE);
    const silent = await postCallback(
      running.url,
      messageXml(USER, 'voice', { MediaId: 'm2', Format: 'amr' }),
    );
    expect(silent.text).toBe(NO_REPLY);
    expect((await inboundRows(running)).at(-1)).toEqual({ kind: 'media', media: 'voice' });
  });

  it.each([
    [
      'image',
      { PicUrl: 'http://mmbiz.test/p.jpg', MediaId: 'm' },
      { kind: 'media', media: 'image' },
    ],
    ['video', { MediaId: 'm', ThumbMediaId: 't' }, { kind: 'media', media: 'video' }],
    ['shortvideo', { MediaId: 'm', ThumbMediaId: 't' }, { kind: 'media', media: 'video' }],
    [
      'location',
      { Location_X: '39.9', Location_Y: '116.4', Scale: '15', Label: 'Beijing' },
      { kind: 'media', media: 'location', caption: 'Beijing' },
    ],
    [
      'link',
      { Title: 'A page', Description: 'd', Url: 'http://example.test/p' },
      { kind: 'media', media: 'link', caption: 'A page http://example.test/p' },
    ],
  ])('maps a %s message to the engine and answers success', async (msgType, fields, inbound) => {
    running ??= await startTempService({ env: PLAIN_ENV });
    const res = await postCallback(running.url, messageXml(USER, msgType, fields));
    expect([res.status, res.text]).toEqual([200, NO_REPLY]);
    expect((await inboundRows(running)).at(-1)).toEqual(inbound);
  });

  it('follows with the greeting, takes a QR scene key, and unfollows', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const follow = await postCallback(
      running.url,
      eventXml(USER, 'subscribe', { EventKey: 'qrscene_spring', Ticket: 't' }),
    );
    expect(replyFields(follow.text).Content).toContain(FOLLOW_GREETING);
    expect((await inboundRows(running)).at(-1)).toEqual({
      kind: 'event',
      event: 'follow',
      key: 'spring',
    });
    expect((await running.service.subscribers.get('wechat', USER))?.state).toBe('active');

    const unfollow = await postCallback(running.url, eventXml(USER, 'unsubscribe'));
    expect(unfollow.text).toBe(NO_REPLY);
    expect((await running.service.subscribers.get('wechat', USER))?.state).toBe('unsubscribed');
  });

  it.each([
    ['SCAN', { EventKey: 'spring', Ticket: 't' }, { kind: 'event', event: 'scan', key: 'spring' }],
    [
      'LOCATION',
      { Latitude: '23.137466', Longitude: '113.352425', Precision: '119.385040' },
      { kind: 'event', event: 'location', key: '23.137466,113.352425' },
    ],
    [
      'VIEW',
      { EventKey: 'http://example.test/menu' },
      { kind: 'event', event: 'view', key: 'http://example.test/menu' },
    ],
  ])('maps a %s event to the engine and answers success', async (event, fields, inbound) => {
    running ??= await startTempService({ env: PLAIN_ENV });
    const res = await postCallback(running.url, eventXml(USER, event, fields));
    expect(res.text).toBe(NO_REPLY);
    expect((await inboundRows(running)).at(-1)).toEqual(inbound);
  });

  it('answers a menu click with a news reply of up to 8 cards, as events may have', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const about = replyFields(
      (await postCallback(running.url, eventXml(USER, 'CLICK', { EventKey: 'ABOUT' }))).text,
    );
    expect([about.MsgType, about.ArticleCount]).toEqual(['news', '1']);
    expect(about.Title).toContain(ABOUT_ENTRY_TITLE);
    const latest = await postCallback(running.url, eventXml(USER, 'CLICK', { EventKey: 'LATEST' }));
    expect(replyFields(latest.text).ArticleCount).toBe(String(LATEST_MENU_CARDS));
    expect(latest.text.match(/<item>/g)).toHaveLength(LATEST_MENU_CARDS);
  });

  it('reports MASSSENDJOBFINISH to the broadcast records without the engine', async () => {
    const { log, lines } = memoryLogger();
    running = await startTempService({ env: PLAIN_ENV, log });
    const report = eventXml('oSystem', 'MASSSENDJOBFINISH', {
      MsgID: '1000001625',
      Status: 'send success',
      TotalCount: 100,
      FilterCount: 80,
      SentCount: 75,
      ErrorCount: 5,
    });
    const res = await postCallback(running.url, report);
    expect(res.text).toBe(NO_REPLY);
    expect(lines().find((line) => line.msg === 'mass send finished')?.report).toMatchObject({
      msgId: '1000001625',
      status: 'send success',
      totalCount: 100,
      filterCount: 80,
      sentCount: 75,
      errorCount: 5,
    });
    expect(await inboundRows(running)).toEqual([]);
  });

  it('takes two MASSSENDJOBFINISH reports of the same second apart by MsgID, and a retry once', async () => {
    // Jobs sent together finish together: the platform's reports then share sender and
    // CreateTime, and only MsgID tells them apart. A retry repeats the MsgID too.
    const { log, lines } = memoryLogger();
    running = await startTempService({ env: PLAIN_ENV, log });
    const second = Math.floor(Date.now() / 1000);
    const report = (msgId: string) =>
      eventXml(
        'oSystem',
        'MASSSENDJOBFINISH',
        { MsgID: msgId, Status: 'send success', TotalCount: 2, FilterCount: 2, SentCount: 2 },
        second,
      );
    for (const msgId of ['1000001626', '1000001627', '1000001626'])
      expect((await postCallback(running.url, report(msgId))).text).toBe(NO_REPLY);
    const reported = lines()
      .filter((line) => line.msg === 'mass send finished')
      .map((line) => (line.report as { msgId: string }).msgId);
    expect(reported).toEqual(['1000001626', '1000001627']);
  });

  it('answers success to message and event types it does not handle, and logs them', async () => {
    const { log, lines } = memoryLogger();
    running = await startTempService({ env: PLAIN_ENV, log });
    expect(
      (await postCallback(running.url, messageXml(USER, 'miniprogrampage', { Title: 't' }))).text,
    ).toBe(NO_REPLY);
    expect(
      (
        await postCallback(
          running.url,
          eventXml(USER, 'TEMPLATESENDJOBFINISH', { Status: 'success' }),
        )
      ).text,
    ).toBe(NO_REPLY);
    expect(
      lines()
        .filter((line) => line.msg === 'wechat callback of a type this account does not handle')
        .map((l) => l.what),
    ).toEqual(['message miniprogrampage', 'event TEMPLATESENDJOBFINISH']);
    expect(await inboundRows(running)).toEqual([]);
  });

  it('folds several replies into one text when no API client is configured', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const res = await postCallback(running.url, messageXml(USER, 'text', { Content: 'about' }));
    const reply = replyFields(res.text);
    expect(reply.MsgType).toBe('text');
    expect(reply.Content).toContain(ABOUT_TEXT);
    expect(reply.Content).toContain(`1. ${ABOUT_ENTRY_TITLE}`);
  });

  it('sends the replies that do not fit the passive reply as customer-service messages', async () => {
    stub = await startStubPlatform();
    running = await startTempService({
      env: {
        ...PLAIN_ENV,
        WECHAT_APPID: APP_ID,
        WECHAT_APPSECRET: 'secret',
        WECHAT_API_BASE: stub.url,
      },
    });
    const res = await postCallback(running.url, messageXml(USER, 'text', { Content: 'window' }));
    const reply = replyFields(res.text);
    expect([reply.MsgType, reply.ArticleCount]).toEqual(['news', '1']);
    const [followUp] = await stub.waitFor('message/custom/send');
    expect(followUp?.body).toMatchObject({ touser: USER, msgtype: 'text' });
    expect((followUp?.body.text as { content: string }).content).toMatch(/^1\. .+\n.+\n2\. /);
  });
});

describe('retries', () => {
  it('answers a retried message with the same reply and runs the engine once, also across a restart', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const message = messageXml(USER, 'text', { Content: 'hello' }, nextMsgId());
    const first = await postCallback(running.url, message);
    const second = await postCallback(running.url, message);
    expect(second.text).toBe(first.text);
    running = await running.restart();
    const third = await postCallback(running.url, message);
    expect(third.text).toBe(first.text);
    expect(await inboundRows(running)).toHaveLength(1);
  });

  it('recognises a retried event by sender, time, event and key', async () => {
    running = await startTempService({ env: PLAIN_ENV });
    const createTime = Math.floor(Date.now() / 1000);
    const click = eventXml(USER, 'CLICK', { EventKey: 'ABOUT' }, createTime);
    const first = await postCallback(running.url, click);
    expect((await postCallback(running.url, click)).text).toBe(first.text);
    await postCallback(running.url, eventXml(USER, 'CLICK', { EventKey: 'GUIDE' }, createTime));
    expect(await inboundRows(running)).toHaveLength(2);
  });
});

describe('safe and compatible mode', () => {
  it('decrypts a safe-mode message and answers encrypted, signed with msg_signature', async () => {
    running = await startTempService({ env: SAFE_ENV });
    const { body, query, nonce } = encryptedRequest(messageXml(USER, 'text', { Content: 'help' }));
    const res = await postCallback(running.url, body, query);
    expect(res.status).toBe(200);
    const envelope = replyFields(res.text);
    expect(envelope.Nonce).toBe(nonce);
    expect(envelope.MsgSignature).toBe(
      sign(TOKEN, envelope.TimeStamp!, envelope.Nonce!, envelope.Encrypt!),
    );
    const opened = opensslDecrypt(envelope.Encrypt!, AES_KEY);
    expect(opened.appId).toBe(APP_ID);
    expect(replyFields(opened.message)).toMatchObject({
      ToUserName: USER,
      FromUserName: ACCOUNT,
      MsgType: 'text',
    });
    expect(replyFields(opened.message).Content).toContain(HELP_LINE);
  });

  it('refuses a plaintext message in safe mode and an encrypted one in plaintext mode', async () => {
    running = await startTempService({ env: SAFE_ENV });
    expect(
      (await postCallback(running.url, messageXml(USER, 'text', { Content: 'help' }))).status,
    ).toBe(400);
    await running.cleanup();
    running = await startTempService({ env: PLAIN_ENV });
    const { body, query } = encryptedRequest(messageXml(USER, 'text', { Content: 'help' }));
    expect((await postCallback(running.url, body, query)).status).toBe(400);
  });

  it('takes both plaintext and encrypted messages in compatible mode', async () => {
    running = await startTempService({ env: { ...SAFE_ENV, WECHAT_ENCRYPT_MODE: 'compat' } });
    const plain = await postCallback(running.url, messageXml(USER, 'text', { Content: 'help' }));
    expect(replyFields(plain.text).Content).toContain(HELP_LINE);
    // The platform's compatible mode sends the plaintext fields and the Encrypt field together.
    const inner = messageXml(USER, 'text', { Content: 'help' });
    const { body, query } = encryptedRequest(inner);
    const both = body.replace('</xml>', inner.replace(/^<xml>|<\/xml>$/g, '') + '</xml>');
    const encrypted = await postCallback(running.url, both, query);
    expect(
      replyFields(opensslDecrypt(replyFields(encrypted.text).Encrypt!, AES_KEY).message).Content,
    ).toContain(HELP_LINE);
  });

  it('accepts a message under the previous AES key during a rotation and answers under that key', async () => {
    running = await startTempService({
      env: { ...SAFE_ENV, WECHAT_AES_KEY_PREVIOUS: OLD_AES_KEY },
    });
    const { body, query } = encryptedRequest(messageXml(USER, 'text', { Content: 'help' }), {
      aesKey: OLD_AES_KEY,
    });
    const res = await postCallback(running.url, body, query);
    expect(res.status).toBe(200);
    expect(
      replyFields(opensslDecrypt(replyFields(res.text).Encrypt!, OLD_AES_KEY).message).Content,
    ).toContain(HELP_LINE);
  });
});

describe('hostile input', () => {
  const BILLION_LAUGHS = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><ToUserName>${ACCOUNT}</ToUserName><FromUserName>${USER}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&c;</Content><MsgId>1</MsgId></xml>`;
  const XXE = `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>${USER}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content><MsgId>2</MsgId></xml>`;
  const forgedQuery = () => signedQuery({ token: 'forgedtoken' }).query;
  const staleQuery = () => signedQuery({ at: new Date(Date.now() - SIX_MINUTES_MS) }).query;
  const plainHelp = () => messageXml(USER, 'text', { Content: 'help' });

  const cases: [
    string,
    Record<string, string>,
    () => { body: string; query?: URLSearchParams; headers?: Record<string, string> },
    number,
    string,
  ][] = [
    [
      'a compressed body',
      PLAIN_ENV,
      () => ({ body: plainHelp(), headers: { 'content-encoding': 'gzip' } }),
      415,
      'content encoding gzip is not accepted',
    ],
    [
      'a body over 64 KiB',
      PLAIN_ENV,
      () => ({ body: messageXml(USER, 'text', { Content: 'x'.repeat(70 * 1024) }) }),
      413,
      'larger than 64 KiB',
    ],
    ['a DOCTYPE with nested entities', PLAIN_ENV, () => ({ body: BILLION_LAUGHS }), 400, 'DOCTYPE'],
    ['an external entity', PLAIN_ENV, () => ({ body: XXE }), 400, 'DOCTYPE'],
    ['malformed XML', PLAIN_ENV, () => ({ body: '<xml><Content>hi</xml>' }), 400, 'malformed XML'],
    ['an empty body', PLAIN_ENV, () => ({ body: '' }), 400, 'empty'],
    [
      'a message missing its sender',
      PLAIN_ENV,
      () => ({
        body: platformXml({
          ToUserName: ACCOUNT,
          CreateTime: 1,
          MsgType: 'text',
          Content: 'hi',
          MsgId: '3',
        }),
      }),
      400,
      'FromUserName is missing',
    ],
    [
      'a bad signature',
      PLAIN_ENV,
      () => ({ body: plainHelp(), query: forgedQuery() }),
      401,
      'signature does not match',
    ],
    [
      'a stale timestamp',
      PLAIN_ENV,
      () => ({ body: plainHelp(), query: staleQuery() }),
      401,
      'off the clock',
    ],
    [
      'an encrypted message with a bad msg_signature',
      SAFE_ENV,
      () => {
        const request = encryptedRequest(plainHelp());
        request.query.set('msg_signature', sign('x'));
        return request;
      },
      401,
      'msg_signature does not match',
    ],
    [
      'ciphertext that does not decrypt',
      SAFE_ENV,
      () => {
        const request = encryptedRequest(plainHelp());
        const junk = Buffer.alloc(48, 3).toString('base64');
        request.query.set(
          'msg_signature',
          sign(TOKEN, request.query.get('timestamp')!, request.query.get('nonce')!, junk),
        );
        return { body: `<xml><Encrypt><![CDATA[${junk}]]></Encrypt></xml>`, query: request.query };
      },
      400,
      'does not decrypt',
    ],
    [
      'a message for another appid',
      SAFE_ENV,
      () => encryptedRequest(plainHelp(), { appId: 'wxffffffffffffffff' }),
      400,
      'another appid',
    ],
    ['a DOCTYPE inside the ciphertext', SAFE_ENV, () => encryptedRequest(XXE), 400, 'DOCTYPE'],
  ];

  it.each(cases)(
    'refuses %s, keeps the engine out, logs the reason once, and keeps serving',
    async (_what, env, build, status, reason) => {
      const { log, lines } = memoryLogger();
      running = await startTempService({ env, log });
      const { body, query, headers } = build();
      const res = await postCallback(running.url, body, query, headers);
      expect(res.status).toBe(status);
      expect(res.text).toContain(reason);
      expect(await inboundRows(running)).toEqual([]);
      const refusals = lines().filter((line) => line.msg === 'wechat callback refused');
      expect(refusals).toHaveLength(1);
      expect(refusals[0]?.reason).toContain(reason);

      const ok =
        env === SAFE_ENV ? encryptedRequest(plainHelp()) : { body: plainHelp(), query: undefined };
      expect((await postCallback(running.url, ok.body, ok.query)).status).toBe(200);
    },
  );
});
