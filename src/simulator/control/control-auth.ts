import { createAccess, type Access } from '../../web/access.ts';

/**
 * Who may use the control API and the phone page: the token as a Bearer token, or a
 * browser signed in with it. There is no way in without one: a tunnel or a reverse proxy
 * arrives from this machine too, so "from loopback" proves nothing. Hosted, the account's
 * admin token guards it (and the account's session cookie opens it); alone, `npm run
 * simulator` generates one (see `src/simulator/sim-token.ts`).
 */
export function controlAccess(token: string | undefined, cookie: string): Access {
  return createAccess({
    token,
    cookie,
    realm: 'oasim simulator',
    offMessage: 'the simulator control API is off: it was started without a token',
    deniedMessage: 'a valid simulator token is required (Authorization: Bearer <token>)',
  });
}
