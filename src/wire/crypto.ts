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

/** Random prefixes are cut from a pool: one CSPRNG call per 256 messages, not one per message. */
const POOL_BYTES = RANDOM_BYTES * 256;
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomPrefix(): Buffer {
  if (poolAt + RANDOM_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += RANDOM_BYTES;
  return pool.subarray(poolAt - RANDOM_BYTES, poolAt);
}

/** Both ends of one CBC pass over whole blocks (`final` is empty without padding). */
function cbc(
  cipher: ReturnType<typeof createCipheriv> | ReturnType<typeof createDecipheriv>,
  data: Buffer,
) {
  cipher.setAutoPadding(false);
  const head = cipher.update(data);
  const tail = cipher.final();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/**
 * Encrypts a message the way the platform does: AES-256-CBC over
 * `16 random bytes | 4-byte big-endian length | message | appid`, padded to 32-byte
 * blocks, IV = the key's first 16 bytes; base64. The plaintext is laid out in one buffer.
 */
export function encryptMessage(
  message: string,
  appId: string,
  key: Buffer,
  random: Buffer = randomPrefix(),
): string {
  const bodyLength = Buffer.byteLength(message, 'utf8');
  const start = RANDOM_BYTES + LENGTH_BYTES;
  const unpadded = start + bodyLength + Buffer.byteLength(appId, 'utf8');
  const pad = BLOCK - (unpadded % BLOCK);
  const plain = Buffer.allocUnsafe(unpadded + pad);
  random.copy(plain, 0, 0, RANDOM_BYTES);
  plain.writeUInt32BE(bodyLength, RANDOM_BYTES);
  plain.write(message, start, 'utf8');
  plain.write(appId, start + bodyLength, 'utf8');
  plain.fill(pad, unpadded);
  return cbc(createCipheriv('aes-256-cbc', key, key.subarray(0, 16)), plain).toString('base64');
}

/** Decrypts an `Encrypt` value; throws WechatCryptoError when it is not the platform's layout. */
export function decryptMessage(encrypted: string, key: Buffer): { message: string; appId: string } {
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0)
    throw new WechatCryptoError('ciphertext is not a whole number of AES blocks');
  let plain: Buffer;
  try {
    plain = cbc(createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)), data);
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
