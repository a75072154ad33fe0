import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import { html } from './html.ts';
import { layout } from './layout.ts';
import { createSessionCodec, type SessionCodec } from './session.ts';

export interface AccessOptions {
  /** The token that lets one in; without one, nothing does (403). */
  token: string | undefined;
  /** The session cookie's name: one per server, since cookies ignore the port. */
  cookie: string;
  /** `WWW-Authenticate` realm and the words of the refusals. */
  realm: string;
  offMessage: string;
  deniedMessage: string;
  /** Real time in ms (sessions expire by the wall clock, never by time travel). */
  now?: () => number;
}

/**
 * Who may use an API or see a page. An API takes a Bearer token (scripts, curl) or a
 * signed-in browser's session cookie; with the cookie, a request that changes anything
 * must also carry the page's CSRF token (`X-CSRF-Token`, or `_csrf` in a form) and come
 * from this origin when the browser says where it comes from. Pages redirect to the
 * login form. Refusals are answered here, as JSON `{error}`, whatever router mounts it.
 */
export interface Access {
  readonly cookie: string;
  api: RequestHandler;
  page: RequestHandler;
  /** The session of a request, with its CSRF token; undefined when not signed in. */
  session(req: Request): { csrf: string } | undefined;
  /** Whether a token typed into the login form is the right one. */
  tokenMatches(given: string): boolean;
  signIn(res: Response, secure: boolean): void;
  signOut(res: Response): void;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const hostOf = (origin: string) => {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
};
const digest = (value: string) => createHash('sha256').update(value).digest();

/** A refusal as JSON `{error}`; a 401 names the realm a Bearer token is for. */
function refuse(res: Response, realm: string, status: number, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', `Bearer realm="${realm}"`);
  res.status(status).json({ error: message });
}

/** A page's refusal: a page for a browser's own request, JSON for scripts and htmx. */
function refusePage(req: Request, res: Response, realm: string, status: number, message: string) {
  if (req.get('hx-request') || req.accepts(['json', 'html']) !== 'html')
    return refuse(res, realm, status, message);
  res
    .status(status)
    .type('html')
    .send(
      layout({
        title: 'Not allowed',
        bodyClass: 'login',
        body: html`<main class="login-box">
          <h1>That was not done</h1>
          <p role="alert">${message}</p>
          <p><a href="/login">Sign in again</a>, then try once more.</p>
        </main>`,
      }).text,
    );
}

/** A request with the cookie that changes something: the CSRF token and the origin. */
function csrfProblem(req: Request, codec: SessionCodec, value: string): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const origin = req.get('origin');
  if (origin && origin !== 'null' && hostOf(origin) !== req.get('host'))
    return 'a signed-in browser may change things only from this site (Origin differs)';
  const body = req.body as { _csrf?: unknown } | undefined;
  const given =
    req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
  return codec.csrfMatches(value, given)
    ? undefined
    : 'the page’s CSRF token is missing or stale: reload the page';
}

export function createAccess(options: AccessOptions): Access {
  const now = options.now ?? Date.now;
  const expected = options.token ? digest(options.token) : undefined;
  const codec: SessionCodec | undefined = options.token
    ? createSessionCodec(options.token)
    : undefined;
  const cookieOf = (req: Request) => {
    const header = req.get('cookie');
    if (!header || header.length > 8192) return undefined;
    return parseCookies(header)[options.cookie];
  };
  const sessionValue = (req: Request) => {
    const value = cookieOf(req);
    return codec && value && codec.valid(value, now()) ? value : undefined;
  };
  const tokenMatches = (given: string) =>
    expected !== undefined && given.length <= 512 && timingSafeEqual(digest(given), expected);
  const api: RequestHandler = (req, res, next) => {
    if (!expected) return refuse(res, options.realm, 403, options.offMessage);
    const [scheme, given] = (req.get('authorization') ?? '').split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && given && tokenMatches(given)) return next();
    const value = !req.get('authorization') ? sessionValue(req) : undefined;
    if (!value) return refuse(res, options.realm, 401, options.deniedMessage);
    const problem = csrfProblem(req, codec!, value);
    if (problem) return refuse(res, options.realm, 403, problem);
    next();
  };

  const page: RequestHandler = (req, res, next) => {
    if (!expected) return refusePage(req, res, options.realm, 403, options.offMessage);
    const value = sessionValue(req);
    if (!value) {
      if (!SAFE_METHODS.has(req.method))
        return refusePage(
          req,
          res,
          options.realm,
          401,
          'you are signed out (or the session expired)',
        );
      return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl.slice(0, 500))}`);
    }
    const problem = csrfProblem(req, codec!, value);
    if (problem) return refusePage(req, res, options.realm, 403, problem);
    next();
  };

  return {
    cookie: options.cookie,
    api,
    page,
    session(req) {
      const value = sessionValue(req);
      return value ? { csrf: codec!.csrfFor(value) } : undefined;
    },
    tokenMatches,
    signIn(res, secure) {
      const { value, expires } = codec!.issue(now());
      res.cookie(options.cookie, value, {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: '/',
        expires,
      });
    },
    signOut(res) {
      res.clearCookie(options.cookie, { httpOnly: true, sameSite: 'strict', path: '/' });
    },
  };
}
