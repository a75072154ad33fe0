import { createHash, randomBytes } from 'node:crypto';
import { bodyOf, optionalString, type ApiTable } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { TokenKind, createTokenStore } from './token-store.ts';

/** A token lives 7,200 s; a replaced one stays good 5 minutes so calls in flight land. */
export const TOKEN_LIFETIME_S = 7200;
export const REPLACED_GRACE_MS = 5 * 60_000;

type TokenStore = ReturnType<typeof createTokenStore>;

/**
 * Access tokens: handing them out and checking them on each call. `token` and
 * `stable_token` keep apart lists, as documented: one never replaces the other's token.
 */
export function createTokens(store: TokenStore, account: { appId: string; appSecret: string }) {
  function credentials(grantType: unknown, appid: unknown, secret: unknown) {
    if (grantType !== 'client_credential')
      throw new PlatformError(40002, 'grant_type must be client_credential');
    if (typeof appid !== 'string' || !appid) throw new PlatformError(41002, 'no appid given');
    if (appid !== account.appId) throw new PlatformError(40013, 'the appid is not this account');
    if (typeof secret !== 'string' || !secret) throw new PlatformError(41004, 'no secret given');
    if (secret !== account.appSecret)
      throw new PlatformError(40125, 'the secret is not this account');
  }

  // stable_token answers its latest token again: that one is kept whole, in memory only.
  let latestStable: string | undefined;

  async function issue(kind: TokenKind, now: Date) {
    // Real tokens are long opaque strings of [A-Za-z0-9_-]; 128 characters here.
    const token = randomBytes(96).toString('base64url');
    await store.issue(
      digestOf(token),
      kind,
      now.getTime(),
      now.getTime() + TOKEN_LIFETIME_S * 1000,
    );
    if (kind === 'stable') latestStable = token;
    return { access_token: token, expires_in: TOKEN_LIFETIME_S };
  }

  /** Throws the platform's refusal for a token that cannot be used now. */
  async function check(token: string | undefined, now: Date) {
    if (!token) throw new PlatformError(41001, 'the call carries no access_token');
    const row = await store.find(digestOf(token));
    if (!row) throw new PlatformError(40001, 'the platform never issued this access_token');
    const at = now.getTime();
    if (row.replaced_at !== null && at > row.replaced_at + REPLACED_GRACE_MS)
      throw new PlatformError(40001, 'a newer access_token replaced this one over 5 minutes ago');
    if (at >= row.expires_at)
      throw new PlatformError(42001, `the access_token is older than ${TOKEN_LIFETIME_S} s`);
  }

  const api: ApiTable = {
    token: {
      token: false,
      async handle({ query, now }) {
        credentials(query.grant_type, query.appid, query.secret);
        return issue('token', now);
      },
    },
    stable_token: {
      token: false,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        credentials(body.grant_type, optionalString(body, 'appid'), optionalString(body, 'secret'));
        const force = body.force_refresh === true || body.force_refresh === 'true';
        const latest = await store.latest('stable');
        const at = request.now.getTime();
        // Without force_refresh the same token comes back until it expires (or until a
        // restart or reset, which forget it: then a new one is issued).
        const same =
          latestStable !== undefined && latest?.digest === digestOf(latestStable)
            ? latest
            : undefined;
        if (!force && same && same.expires_at > at)
          return {
            access_token: latestStable,
            expires_in: Math.floor((same.expires_at - at) / 1000),
          };
        return issue('stable', request.now);
      },
    },
  };
  return { api, check };
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A token as the call log shows it: enough to tell two apart, not enough to use. */
export function maskToken(token: string | undefined): string | undefined {
  if (!token) return token;
  return token.length <= 10 ? '***' : `${token.slice(0, 6)}…${token.slice(-4)}`;
}
