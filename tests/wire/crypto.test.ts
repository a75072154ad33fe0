import { describe, expect, it } from 'vitest';
import {
  decodeAesKey,
  decryptMessage,
  encryptMessage,
  WechatCryptoError,
} from '../../src/wire/crypto.ts';
import { AES_KEY, APP_ID, opensslDecrypt, opensslEncrypt } from '../wechat/platform.ts';

const MESSAGE = '<xml><Content><![CDATA[你好, world]]></Content></xml>';
const FIXED_RANDOM = Buffer.from('0123456789abcdef');
const key = decodeAesKey(AES_KEY);

describe('AES message encryption', () => {
  it('decrypts what openssl encrypted in the platform layout', () => {
    const encrypted = opensslEncrypt(MESSAGE, APP_ID, AES_KEY, FIXED_RANDOM);
    expect(decryptMessage(encrypted, key)).toEqual({ message: MESSAGE, appId: APP_ID });
  });

  it('encrypts byte for byte as openssl does, padding to 32-byte blocks', () => {
    const ours = encryptMessage(MESSAGE, APP_ID, key, FIXED_RANDOM);
    expect(ours).toBe(opensslEncrypt(MESSAGE, APP_ID, AES_KEY, FIXED_RANDOM));
    const opened = opensslDecrypt(ours, AES_KEY);
    expect(opened).toMatchObject({ message: MESSAGE, appId: APP_ID });
    expect(Buffer.from(ours, 'base64').length % 32).toBe(0);
  });

  it('pads a whole block when the plaintext already fills its last block', () => {
    // 16 + 4 + 12 = 32 bytes of content: PKCS#7 with k = 32 adds a full block of 32s.
    const twelve = 'x'.repeat(12);
    const encrypted = encryptMessage(twelve, '', key, FIXED_RANDOM);
    expect(opensslDecrypt(encrypted, AES_KEY).padding).toBe(32);
    expect(decryptMessage(encrypted, key).message).toBe(twelve);
  });

  it('refuses a ciphertext that is not whole blocks, is padded wrongly or is under another key', () => {
    expect(() => decryptMessage('AAAA', key)).toThrow(WechatCryptoError);
    const other = decodeAesKey(Buffer.alloc(32, 1).toString('base64').slice(0, 43));
    const foreign = encryptMessage(MESSAGE, APP_ID, other, FIXED_RANDOM);
    let opened: { appId: string } | undefined;
    try {
      opened = decryptMessage(foreign, key);
    } catch (error) {
      expect(error).toBeInstanceOf(WechatCryptoError);
    }
    if (opened) expect(opened.appId).not.toBe(APP_ID);
  });

  it('refuses an EncodingAESKey that is not 43 base64 characters', () => {
    expect(() => decodeAesKey('short')).toThrow(WechatCryptoError);
    expect(() => decodeAesKey(`${AES_KEY.slice(0, 42)}!`)).toThrow(WechatCryptoError);
  });
});
