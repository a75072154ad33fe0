import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The platform's signature: SHA-1 hex of the parts sorted as strings and joined. The
 * callback `signature` signs token, timestamp and nonce; `msg_signature` (safe and
 * compatible modes) adds the `Encrypt` value.
 */
export function signParts(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Compares a signature the caller sent with ours in constant time (no early exit on a mismatch). */
export function signatureMatches(given: string | undefined, parts: readonly string[]): boolean {
  if (typeof given !== 'string' || given.length !== 40) return false;
  const expected = Buffer.from(signParts(parts), 'latin1');
  const actual = Buffer.from(given.toLowerCase(), 'latin1');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
