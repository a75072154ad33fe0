import { randomInt } from 'node:crypto';
import { decodeAesKey, encryptMessage } from '../../wire/crypto.ts';
import { signParts } from '../../wire/signature.ts';
import { buildXml } from '../../wire/xml-build.ts';
import type { CallbackTarget } from './target.ts';

/** A callback request ready to POST: the query it is signed with and its body. */
export interface SignedRequest {
  query: Record<string, string>;
  body: string;
  /** What was signed, the token left out: the inspector shows it, the log never holds it. */
  signed: { timestamp: string; nonce: string; encrypt?: string };
  encrypted: boolean;
}

/** How a request is spoilt on purpose, to see the account refuse it. */
export type Spoil = 'signature' | 'appid' | undefined;

/** An AppID that is not the account's, for the `appid` break. */
const OTHER_APPID = 'wx00000000deadbeef';

export const newNonce = () => String(randomInt(100_000_000, 999_999_999));

/**
 * Signs (and in compat and safe mode encrypts) the plaintext message XML the way the
 * platform does: `signature` over token, timestamp and nonce; with AES, the `Encrypt`
 * envelope (compat keeps the plaintext fields beside it) and `msg_signature`.
 */
export function signRequest(
  target: CallbackTarget,
  fields: { ToUserName: string; FromUserName: string },
  xml: string,
  { timestamp, nonce, spoil }: { timestamp: string; nonce: string; spoil?: Spoil },
): SignedRequest {
  const signature = signParts([
    spoil === 'signature' ? `${target.token}x` : target.token,
    timestamp,
    nonce,
  ]);
  const query: Record<string, string> = {
    signature,
    timestamp,
    nonce,
    openid: fields.FromUserName,
  };
  const encrypt = target.encryptMode !== 'plain' || spoil === 'appid';
  if (!encrypt || !target.aesKey)
    return { query, body: xml, signed: { timestamp, nonce }, encrypted: false };
  const key = decodeAesKey(target.aesKey);
  const ciphertext = encryptMessage(xml, spoil === 'appid' ? OTHER_APPID : target.appId, key);
  query.encrypt_type = 'aes';
  query.msg_signature = signParts([target.token, timestamp, nonce, ciphertext]);
  const body =
    target.encryptMode === 'compat'
      ? xml.replace(/<\/xml>$/, `<Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`)
      : buildXml({ ToUserName: fields.ToUserName, Encrypt: ciphertext });
  return { query, body, signed: { timestamp, nonce, encrypt: ciphertext }, encrypted: true };
}
