import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The platform pads to 32-byte blocks (PKCS#7 with k = 32), not AES's own 16. */
const BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;

/** A ciphertext that does not decrypt to the platform's layout. */
export class WechatCryptoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatCryptoError';
  }
}

/** The 43-character EncodingAESKey as the 32-byte AES key (base64 of the key plus "="). */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey))
    throw new WechatCryptoError('an EncodingAESKey is 43 characters of A-Z, a-z, 0-9, + and /');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('an EncodingAESKey decodes to 32 bytes');
  return key;
}

/**
 * Encrypts a message the way the platform does: AES-256-CBC over
 * `16 random bytes | 4-byte big-endian length | message | appid`, padded to 32-byte
 * blocks, IV = the key's first 16 bytes; base64.
 */
export function encryptMessage(
  message: string,
  appId: string,
  key: Buffer,
  random: Buffer = randomBytes(RANDOM_BYTES),
): string {
  const body = Buffer.from(message, 'utf8');
  const app = Buffer.from(appId, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(body.length, 0);
  const unpadded = RANDOM_BYTES + LENGTH_BYTES + body.length + app.length;
  const pad = BLOCK - (unpadded % BLOCK);
  const plain = Buffer.concat([
    random.subarray(0, RANDOM_BYTES),
    length,
    body,
    app,
    Buffer.alloc(pad, pad),
  ]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Decrypts an `Encrypt` value; throws WechatCryptoError when it is not the platform's layout. */
export function decryptMessage(encrypted: string, key: Buffer): { message: string; appId: string } {
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0)
    throw new WechatCryptoError('ciphertext is not a whole number of AES blocks');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (error) {
    throw new WechatCryptoError('ciphertext does not decrypt', { cause: error });
  }
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || pad > plain.length)
    throw new WechatCryptoError('ciphertext has bad padding');
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < RANDOM_BYTES + LENGTH_BYTES)
    throw new WechatCryptoError('ciphertext is too short');
  const length = content.readUInt32BE(RANDOM_BYTES);
  const start = RANDOM_BYTES + LENGTH_BYTES;
  if (start + length > content.length)
    throw new WechatCryptoError('ciphertext length field runs past the end');
  return {
    message: content.subarray(start, start + length).toString('utf8'),
    appId: content.subarray(start + length).toString('utf8'),
  };
}
