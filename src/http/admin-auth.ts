import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Guards the admin API with a Bearer token. Tokens are compared as SHA-256 digests with
 * timingSafeEqual: equal lengths, and no timing clue about how much of a guess matched.
 * Without a configured token the admin API is refused (403), except from this machine in
 * development, so a fresh checkout can be tried without setting one.
 */
export function adminAuth({
  token,
  development,
}: {
  token: string | undefined;
  development: boolean;
}): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, res, next) => {
    if (!expected) {
      if (development && LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
      throw new HttpError(403, 'the admin API is disabled: set ADMIN_TOKEN to use it');
    }
    const [scheme, given] = (req.get('authorization') ?? '').split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !given || !timingSafeEqual(digest(given), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="oasim admin"');
      throw new HttpError(
        401,
        'a valid admin token is required (Authorization: Bearer <ADMIN_TOKEN>)',
      );
    }
    next();
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();
