import express from 'express';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/clock/virtual-clock.ts';
import type { ActionResult } from '../../../src/simulator/actions/act.ts';
import { createSimulator, type Simulator } from '../../../src/simulator/simulator.ts';
import { decodeAesKey, encryptMessage } from '../../../src/wire/crypto.ts';
import { signParts } from '../../../src/wire/signature.ts';
import { buildXml } from '../../../src/wire/xml-build.ts';
import { parseXml } from '../../../src/wire/xml-parse.ts';
import { AES_KEY, APP_ID, APP_SECRET, SIM_TOKEN, START, TOKEN, type Mode } from '../sim-fixture.ts';

const ORIGINAL_ID = 'gh_0123456789ab';
const OTHER_APPID = 'wxffffffffffffffff';
/** A text one byte over the platform's 2,048. */
const TOO_LONG = 'a'.repeat(2049);
const JUST_FITS = 'b'.repeat(2048);

type Names = { user: string; account: string };
type Answer = (names: Names) => string;

const text = (content: string, names: Names, extra: Record<string, string> = {}) =>
  buildXml({
    ToUserName: names.user,
    FromUserName: names.account,
    CreateTime: 1_795_000_000,
    MsgType: 'text',
    Content: content,
    ...extra,
  });
const news = (count: number, names: Names, articleCount = count) =>
  buildXml({
    ToUserName: names.user,
    FromUserName: names.account,
    CreateTime: 1_795_000_000,
    MsgType: 'news',
    ArticleCount: articleCount,
    Articles: {
      item: Array.from({ length: count }, (_, i) => ({
        Title: `Article ${i + 1}`,
        Description: 'About it',
        Url: `https://example.org/${i + 1}`,
      })),
    },
  });
const encrypted = (xml: string, appId = APP_ID, spoilSignature = false) => {
  const cipher = encryptMessage(xml, appId, decodeAesKey(AES_KEY));
  const stamp = '1795000000';
  const nonce = '12345';
  const signature = signParts([spoilSignature ? 'wrong' : TOKEN, stamp, nonce, cipher]);
  return buildXml({ Encrypt: cipher, MsgSignature: signature, TimeStamp: stamp, Nonce: nonce });
};

interface StubWorld {
  act(action: Record<string, unknown>): Promise<ActionResult>;
  close(): Promise<void>;
}

/** The simulator pointed at a stub account that answers whatever the test says. */
async function stubWorld(mode: Mode, answer: Answer): Promise<StubWorld> {
  const stub = express();
  stub.post('/wechat', express.text({ type: '*/*' }), (req, res) => {
    const fields = parseXml(req.body as string);
    res.send(answer({ user: String(req.query.openid), account: fields.ToUserName! }));
  });
  const listen = (app: express.Express) =>
    new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  const port = (s: Server) => (s.address() as AddressInfo).port;
  const stubServer = await listen(stub);
  const dir = await mkdtemp(join(tmpdir(), 'oasim-sim-stub-'));
  const clock = createVirtualClock({ start: START });
  const sim: Simulator = await createSimulator({
    dataDir: dir,
    target: {
      url: `http://127.0.0.1:${port(stubServer)}/wechat`,
      token: TOKEN,
      appId: APP_ID,
      aesKey: AES_KEY,
      encryptMode: mode,
      originalId: ORIGINAL_ID,
    },
    account: { appId: APP_ID, appSecret: APP_SECRET, type: 'service' },
    clock,
    token: SIM_TOKEN,
  });
  const simServer = await listen(sim.app);
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port(simServer)}/sim/api${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SIM_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as unknown;
  };
  const { user } = (await call('/users', { nickname: 'Stubbed' })) as { user: { openid: string } };
  // The follow's own reply is whatever the stub answers; the tests look at later actions.
  await call(`/users/${user.openid}/actions`, { type: 'follow' });
  return {
    act: async (action) => (await call(`/users/${user.openid}/actions`, action)) as ActionResult,
    async close() {
      for (const s of [stubServer, simServer]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
      await sim.close();
      clock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let world: StubWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HELLO = { type: 'text', text: 'hi' };
const CLICKLESS_EVENT = { type: 'unfollow' };

describe('a reply the platform would drop', () => {
  it.each<[string, Mode, Answer, Record<string, unknown>, RegExp]>([
    [
      'names not swapped',
      'plain',
      (n) => text('hi', { user: n.account, account: n.user }),
      HELLO,
      /ToUserName must be the user's OpenID/,
    ],
    [
      'another account as sender',
      'plain',
      (n) => text('hi', { ...n, account: 'gh_ffffffffffff' }),
      HELLO,
      /FromUserName must be the account's original id/,
    ],
    [
      'no CreateTime',
      'plain',
      (n) => text('hi', n).replace(/<CreateTime>.*?<\/CreateTime>/, ''),
      HELLO,
      /CreateTime/,
    ],
    [
      'an unknown MsgType',
      'plain',
      (n) => text('hi', n).replace('[text]', '[markdown]'),
      HELLO,
      /MsgType "markdown"/,
    ],
    [
      'text over 2,048 bytes',
      'plain',
      (n) => text(TOO_LONG, n),
      HELLO,
      /at most 2048 bytes; this one is 2049/,
    ],
    [
      'text over 2,048 bytes in Chinese',
      'plain',
      (n) => text('字'.repeat(683), n),
      HELLO,
      /this one is 2049/,
    ],
    [
      'two articles to a message',
      'plain',
      (n) => news(2, n),
      HELLO,
      /at most 1 article; this one has 2/,
    ],
    [
      'nine articles to an event',
      'plain',
      (n) => news(9, n),
      CLICKLESS_EVENT,
      /at most 8 articles; this one has 9/,
    ],
    [
      'an ArticleCount that lies',
      'plain',
      (n) => news(1, n, 3),
      HELLO,
      /ArticleCount 3 does not match/,
    ],
    ['not XML', 'plain', () => '<xml><Content>', HELLO, /not XML the platform reads/],
    ['a plaintext reply in safe mode', 'safe', (n) => text('hi', n), HELLO, /must be encrypted/],
    [
      'a bad MsgSignature',
      'safe',
      (n) => encrypted(text('hi', n), APP_ID, true),
      HELLO,
      /MsgSignature does not match/,
    ],
    [
      'another AppID inside',
      'safe',
      (n) => encrypted(text('hi', n), OTHER_APPID),
      HELLO,
      /names AppID "wxffffffffffffffff"/,
    ],
  ])('is dropped and recorded with its rule: %s', async (_name, mode, answer, action, rule) => {
    world = await stubWorld(mode, answer);
    const { exchange, items } = await world.act(action);
    expect(exchange.verdict.outcome).toBe('dropped');
    const [, seen] = items;
    expect(seen).toMatchObject({ source: 'error', error: { kind: 'dropped' } });
    expect(seen!.error!.rule).toMatch(rule);
  });

  it.each<[string, Mode, Answer, Record<string, unknown>, string]>([
    ['text of exactly 2,048 bytes', 'plain', (n) => text(JUST_FITS, n), HELLO, 'text'],
    ['one article to a message', 'plain', (n) => news(1, n), HELLO, 'news'],
    ['eight articles to an event', 'plain', (n) => news(8, n), CLICKLESS_EVENT, 'news'],
    ['an encrypted reply in safe mode', 'safe', (n) => encrypted(text('hi', n)), HELLO, 'text'],
    ['a plaintext reply in compat mode', 'compat', (n) => text('hi', n), HELLO, 'text'],
  ])('is shown when it keeps the rules: %s', async (_name, mode, answer, action, msgtype) => {
    world = await stubWorld(mode, answer);
    const { exchange, items } = await world.act(action);
    expect(exchange.verdict.outcome).toBe('shown');
    expect(items[1]).toMatchObject({ source: 'reply', message: { msgtype } });
  });

  it.each(['', 'success', '  success\n'])('shows nothing for %j', async (body) => {
    world = await stubWorld('plain', () => body);
    const { exchange, items } = await world.act(HELLO);
    expect(exchange.verdict.outcome).toBe('none');
    expect(items).toHaveLength(1);
  });
});
