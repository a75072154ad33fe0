import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.ts';

/**
 * Guards the admin API with a Bearer token. Tokens are compared as SHA-256 digests with
 * timingSafeEqual: equal lengths, and no timing clue about how much of a guess matched.
 * There is no exemption for any address: a tunnel or a reverse proxy arrives from
 * loopback too. Without a token (production without ADMIN_TOKEN) the API is off (403).
 */
export function adminAuth({ token }: { token: string | undefined }): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, res, next) => {
    if (!expected)
      throw new HttpError(
        403,
        'the admin API is off: in production it needs ADMIN_TOKEN (at least 16 characters)',
      );
    const [scheme, given] = (req.get('authorization') ?? '').split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !given || !timingSafeEqual(digest(given), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="oasim admin"');
      throw new HttpError(
        401,
        'a valid admin token is required (Authorization: Bearer <token>; ADMIN_TOKEN, or DATA_DIR/admin-token in development)',
      );
    }
    next();
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();
