/**
 * The platform's side of the callback, written independently of src/wechat: XML as the
 * platform builds it, signed query strings, and encryption with openssl (not node's
 * cipher code that src/wechat uses), so the tests cross-check rather than mirror.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN = 'testtoken123';
export const APP_ID = 'wx1234567890abcdef';
export const ACCOUNT = 'gh_0123456789ab';
/** 43 characters: base64 of 32 bytes, without the trailing "=". */
export const AES_KEY = Buffer.alloc(32, 7).toString('base64').slice(0, 43);
export const OLD_AES_KEY = Buffer.alloc(32, 9).toString('base64').slice(0, 43);

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
export const sign = (...parts: string[]) => sha1([...parts].sort().join(''));

let nonceCounter = 0;
/** A fresh timestamp and nonce, with the query's `signature`. */
export function signedQuery(
  { token = TOKEN, at = new Date() }: { token?: string; at?: Date } = {},
  extra: Record<string, string> = {},
): { timestamp: string; nonce: string; query: URLSearchParams } {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = String(1_000_000 + ++nonceCounter);
  const query = new URLSearchParams({
    signature: sign(token, timestamp, nonce),
    timestamp,
    nonce,
    ...extra,
  });
  return { timestamp, nonce, query };
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;

/** A callback body the way the platform writes it: strings in CDATA, numbers bare. */
export function platformXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(
      ([name, value]) => `<${name}>${typeof value === 'number' ? value : cdata(value)}</${name}>`,
    )
    .join('\n');
  return `<xml>\n${body}\n</xml>`;
}

let msgIdCounter = 24_000_000_000_000_000n;
/** A 64-bit MsgId past Number.MAX_SAFE_INTEGER, as the platform's are. */
export const nextMsgId = () => String(++msgIdCounter);

/** A user's message to the account. */
export function messageXml(
  user: string,
  msgType: string,
  fields: Record<string, string | number> = {},
  msgId = nextMsgId(),
) {
  return platformXml({
    ToUserName: ACCOUNT,
    FromUserName: user,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: msgType,
    ...fields,
    MsgId: msgId,
  });
}

/** An event from a user. */
export function eventXml(
  user: string,
  event: string,
  fields: Record<string, string | number> = {},
  createTime = Math.floor(Date.now() / 1000),
) {
  return platformXml({
    ToUserName: ACCOUNT,
    FromUserName: user,
    CreateTime: createTime,
    MsgType: 'event',
    Event: event,
    ...fields,
  });
}

/** AES-256-CBC with openssl, no padding of its own: the 32-byte PKCS#7 padding is done here. */
export function opensslEncrypt(
  message: string,
  appId: string,
  aesKey: string,
  random = randomBytes(16),
): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const body = Buffer.from(message);
  const length = Buffer.from([
    body.length >>> 24,
    (body.length >>> 16) & 255,
    (body.length >>> 8) & 255,
    body.length & 255,
  ]);
  const unpadded = Buffer.concat([random, length, body, Buffer.from(appId)]);
  const pad = 32 - (unpadded.length % 32);
  const plain = Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);
  return openssl(key, plain).toString('base64');
}

/** AES-256-CBC without padding by the openssl command, IV = the key's first 16 bytes. */
function openssl(key: Buffer, input: Buffer, { decrypt = false } = {}): Buffer {
  const iv = key.subarray(0, 16).toString('hex');
  const args = ['enc', ...(decrypt ? ['-d'] : []), '-aes-256-cbc', '-nopad'];
  return execFileSync('openssl', [...args, '-K', key.toString('hex'), '-iv', iv], { input });
}

/** Decrypts with openssl and unpacks the platform's layout. */
export function opensslDecrypt(
  encrypted: string,
  aesKey: string,
): { message: string; appId: string; padding: number } {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const plain = openssl(key, Buffer.from(encrypted, 'base64'), { decrypt: true });
  const padding = plain[plain.length - 1]!;
  const content = plain.subarray(0, plain.length - padding);
  const length = content.readUInt32BE(16);
  return {
    message: content.subarray(20, 20 + length).toString(),
    appId: content.subarray(20 + length).toString(),
    padding,
  };
}

/** A safe-mode body: the platform's envelope around the encrypted message, and its query. */
export function encryptedRequest(
  plainXml: string,
  {
    aesKey = AES_KEY,
    appId = APP_ID,
    token = TOKEN,
    at = new Date(),
  }: { aesKey?: string; appId?: string; token?: string; at?: Date } = {},
): { body: string; query: URLSearchParams; nonce: string } {
  const encrypt = opensslEncrypt(plainXml, appId, aesKey);
  const { timestamp, nonce, query } = signedQuery({ token, at });
  query.set('encrypt_type', 'aes');
  query.set('msg_signature', sign(token, timestamp, nonce, encrypt));
  return {
    body: `<xml><ToUserName>${cdata(ACCOUNT)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`,
    query,
    nonce,
  };
}

/** POSTs a callback body to `/wechat`. */
export async function postCallback(
  url: string,
  body: string,
  query: URLSearchParams = signedQuery().query,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}/wechat?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', ...headers },
    body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
}

/** Reads the fields of a reply the way the platform would (one level, CDATA or bare). */
export function replyFields(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of xml.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g))
    fields[match[1]!] ??= match[2] ?? match[3] ?? '';
  return fields;
}
