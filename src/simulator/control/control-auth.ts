import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ControlError } from './control-error.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The control API's Bearer token, compared as SHA-256 digests in constant time. Without a
 * token only this machine may drive the simulator (a fresh checkout in development).
 */
export function controlAuth(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, res, next) => {
    if (!expected) {
      if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
      throw new ControlError(403, 'the simulator control API needs a token from another machine');
    }
    const [scheme, given] = (req.get('authorization') ?? '').split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !given || !timingSafeEqual(digest(given), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="oasim simulator"');
      throw new ControlError(
        401,
        'a valid simulator token is required (Authorization: Bearer <token>)',
      );
    }
    next();
  };
}
