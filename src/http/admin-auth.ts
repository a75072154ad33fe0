import { createAccess, type Access } from '../web/access.ts';

/** The cookie a signed-in browser holds for the account's pages and APIs. */
export const SESSION_COOKIE = 'oasim_session';

/**
 * Who may use the admin API and the console: the admin token as a Bearer token, or a
 * browser signed in with it (see `src/web/access.ts`). There is no exemption for any
 * address: a tunnel or a reverse proxy arrives from loopback too. Without a token
 * (production without ADMIN_TOKEN) the API and the pages are off (403).
 */
export function adminAccess(token: string | undefined): Access {
  return createAccess({
    token,
    cookie: SESSION_COOKIE,
    realm: 'oasim admin',
    offMessage: 'the admin API is off: in production it needs ADMIN_TOKEN (at least 16 characters)',
    deniedMessage:
      'a valid admin token is required (Authorization: Bearer <token>; ADMIN_TOKEN, or DATA_DIR/admin-token in development)',
  });
}
