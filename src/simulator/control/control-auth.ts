import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ControlError } from './control-error.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The control API's Bearer token, compared as SHA-256 digests in constant time. There is
 * no way in without one: a tunnel or a reverse proxy arrives from this machine too, so
 * "from loopback" proves nothing. Hosted, the account's admin token guards it; alone,
 * `npm run simulator` generates one (see `src/simulator/sim-token.ts`).
 */
export function controlAuth(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, res, next) => {
    if (!expected)
      throw new ControlError(
        403,
        'the simulator control API is off: it was started without a token',
      );
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
