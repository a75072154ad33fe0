import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a signed-in browser stays signed in. */
export const SESSION_MS = 12 * 60 * 60 * 1000;

/**
 * A browser session as a cookie value the server can check without keeping state:
 * `<expiry ms>.<HMAC-SHA256(token, expiry)>`. It is signed with the token that guards the
 * APIs, so every process that knows the token accepts it, and replacing the token signs
 * everyone out. The CSRF token of a session is a second HMAC over its value: a page
 * receives it in its HTML, another site can neither read nor compute it.
 */
export interface SessionCodec {
  issue(now: number): { value: string; expires: Date };
  valid(value: string | undefined, now: number): boolean;
  csrfFor(value: string): string;
  csrfMatches(value: string, given: string | undefined): boolean;
}

export function createSessionCodec(token: string): SessionCodec {
  const mac = (purpose: string, text: string) =>
    createHmac('sha256', token).update(`${purpose}:${text}`).digest('base64url');
  const same = (a: string, b: string) => {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  };
  return {
    issue(now) {
      const expiry = now + SESSION_MS;
      return { value: `${expiry}.${mac('session', String(expiry))}`, expires: new Date(expiry) };
    },
    valid(value, now) {
      if (!value || value.length > 200) return false;
      const dot = value.indexOf('.');
      const expiry = Number(value.slice(0, dot));
      if (dot < 1 || !Number.isSafeInteger(expiry) || expiry <= now) return false;
      return same(value.slice(dot + 1), mac('session', value.slice(0, dot)));
    },
    csrfFor: (value) => mac('csrf', value),
    csrfMatches: (value, given) => given !== undefined && same(mac('csrf', value), given),
  };
}
