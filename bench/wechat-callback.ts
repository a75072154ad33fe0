/**
 * `POST /wechat` under load: a signed plaintext text message, and the same in safe mode
 * (AES), each against the bare express endpoint measured in the same run. Every request
 * is prebuilt with its own nonce, signature and MsgId and sent once, so none is answered
 * from the retry table: each runs the whole path (signature, XML,
 * decryption, dedup insert, engine, reply, encryption).
 */
import { createHash } from 'node:crypto';
import { decodeAesKey, encryptMessage } from '../src/wire/crypto.ts';
import { startBareExpress } from './lib/bare-express.ts';
import { startBenchService } from './lib/temp-service.ts';
import { loadHttp, type HttpLoad } from './lib/http-load.ts';
import type { BenchRow } from './lib/table.ts';

export const TOKEN = 'benchtoken';
export const APP_ID = 'wxbench0000000001';
export const AES_KEY = Buffer.alloc(32, 5).toString('base64').slice(0, 43);
/** A keyword command with a full text reply: the common case of a real account. */
const TEXT = 'help';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** Enough prebuilt requests for a run at well over the expected rate (5 s at 16,000/s). */
const PREBUILT = 80_000;

/**
 * Prebuilds distinct signed requests, so that signing and encrypting are not counted
 * against the service; the load generator sends each once, in turn.
 */
function signedRequests(safe: boolean): { path: string; body: string }[] {
  const key = decodeAesKey(AES_KEY);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const build = (n: number) => {
    const nonce = String(n);
    const xml =
      `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBenchUser${n % 1000}]]></FromUserName>` +
      `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
      `<Content><![CDATA[${TEXT}]]></Content><MsgId>${9_000_000_000_000_000n + BigInt(n)}</MsgId></xml>`;
    const query = new URLSearchParams({
      signature: sha1([TOKEN, timestamp, nonce].sort().join('')),
      timestamp,
      nonce,
    });
    if (!safe) return { path: `/wechat?${query}`, body: xml };
    const encrypt = encryptMessage(xml, APP_ID, key);
    query.set('encrypt_type', 'aes');
    query.set('msg_signature', sha1([TOKEN, timestamp, nonce, encrypt].sort().join('')));
    return {
      path: `/wechat?${query}`,
      body: `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    };
  };
  return Array.from({ length: PREBUILT }, (_, i) => build(i));
}

/**
 * `POST /wechat` driven directly with prebuilt signed requests (also the simulated suite's
 * baseline); `env` adds to the service's configuration (DATABASE_URL for PostgreSQL).
 */
export async function measureService(
  safe: boolean,
  fixedAnswer: boolean,
  env: Record<string, string> = {},
): Promise<HttpLoad> {
  const { service, url, close } = await startBenchService({
    ...env,
    WECHAT_TOKEN: TOKEN,
    ...(safe ? { WECHAT_ENCRYPT_MODE: 'safe', WECHAT_AES_KEY: AES_KEY, WECHAT_APPID: APP_ID } : {}),
  });
  if (fixedAnswer) {
    // The protocol path alone: the engine's answer (and its conversation-log commit) is
    // computed once, so the row shows what the callback itself costs.
    const answer = await service.engine.handle({
      channel: 'wechat',
      user: 'oBenchUser',
      time: new Date(),
      kind: 'text',
      text: TEXT,
    });
    service.engine.handle = async () => answer;
  }
  try {
    const load = await loadHttp({
      url: `${url}/wechat`,
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      sequence: signedRequests(safe),
    });
    if (load.errors || load.non2xx)
      throw new Error(`POST /wechat: ${load.errors} errors, ${load.non2xx} non-2xx answers`);
    return load;
  } finally {
    await close();
  }
}

async function measureBare(): Promise<HttpLoad> {
  const bare = await startBareExpress();
  try {
    return await loadHttp({
      url: bare.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'oBenchUser', text: TEXT }),
    });
  } finally {
    await bare.close();
  }
}

/** Rounds per measurement, each a baseline load then ours; the median round is reported. */
const ROUNDS = 5;

/**
 * The suite. Each round measures the baseline and then the service back to back, and the
 * round with the median throughput ratio is reported: on a machine shared with other
 * work, outside load drifts over seconds, so a pair measured together is the fairest
 * comparison, and the median of several keeps one unlucky pair out.
 */
export async function wechatCallbackSuite(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [label, safe, fixedAnswer, target] of [
    ['plaintext', false, false, '>= 0.6x'],
    ['safe mode (AES)', true, false, '>= 0.5x'],
    ['plaintext, engine answer fixed', false, true, ''],
    ['safe mode (AES), engine answer fixed', true, true, ''],
  ] as const) {
    const rounds: { bare: HttpLoad; ours: HttpLoad }[] = [];
    for (let round = 0; round < ROUNDS; round++)
      rounds.push({ bare: await measureBare(), ours: await measureService(safe, fixedAnswer) });
    rounds.sort((a, b) => a.ours.rps / a.bare.rps - b.ours.rps / b.bare.rps);
    const { bare: b, ours: o } = rounds[Math.floor(ROUNDS / 2)]!;
    const name = `POST /wechat ${label}, text "${TEXT}"`;
    const baseline = 'bare express';
    rows.push(
      {
        name,
        metric: 'throughput',
        value: o.rps,
        unit: 'req/s',
        baseline: { name: baseline, value: b.rps },
        ...(target ? { target } : {}),
      },
      {
        name,
        metric: 'p99 latency',
        value: o.p99,
        unit: 'ms',
        baseline: { name: baseline, value: b.p99 },
      },
    );
  }
  return rows;
}
