import { describe, expect, it } from 'vitest';
import { signatureMatches, signParts } from '../../src/wire/signature.ts';

// The platform's documented example (Official Account docs, "接入概述").
const DOC_TOKEN = 'AAAAA';
const DOC_TIMESTAMP = '1714036504';
const DOC_NONCE = '1514711492';
const DOC_SIGNATURE = 'f464b24fc39322e44b38aa78f5edd27bd1441696';

describe('signature', () => {
  it('matches the platform documentation example', () => {
    expect(signParts([DOC_TOKEN, DOC_TIMESTAMP, DOC_NONCE])).toBe(DOC_SIGNATURE);
  });

  it('sorts the parts, so their order does not matter', () => {
    expect(signParts([DOC_NONCE, DOC_TOKEN, DOC_TIMESTAMP])).toBe(DOC_SIGNATURE);
  });

  it('accepts the right signature in either letter case and refuses any other', () => {
    const parts = [DOC_TOKEN, DOC_TIMESTAMP, DOC_NONCE];
    expect(signatureMatches(DOC_SIGNATURE, parts)).toBe(true);
    expect(signatureMatches(DOC_SIGNATURE.toUpperCase(), parts)).toBe(true);
    expect(signatureMatches(DOC_SIGNATURE.replace(/.$/, '0'), parts)).toBe(false);
    expect(signatureMatches(DOC_SIGNATURE.slice(1), parts)).toBe(false);
    expect(signatureMatches(undefined, parts)).toBe(false);
  });
});
