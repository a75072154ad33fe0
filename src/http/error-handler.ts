import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { isUnavailable } from '../postgres/availability.ts';
import { describe } from '../postgres/database.ts';
import { html } from '../web/html.ts';
import { layout } from '../web/layout.ts';
import { HttpError } from './http-error.ts';

/**
 * body-parser's and raw-body's error types, mapped to what the client did wrong. The two
 * `stream.*` types are this server's own fault (a body read twice), so they stay 500.
 */
const BODY_ERRORS: Record<string, (limit: number) => [number, string]> = {
  'entity.too.large': (limit) => [
    413,
    `request body is larger than ${Math.round(limit / 1024)} KiB`,
  ],
  'entity.parse.failed': () => [400, 'request body is not valid JSON'],
  'entity.verify.failed': () => [403, 'request body failed verification'],
  'encoding.unsupported': () => [415, 'unsupported content encoding'],
  'charset.unsupported': () => [415, 'unsupported charset; send UTF-8'],
  'parameters.too.many': () => [413, 'too many parameters in the request body'],
  'request.aborted': () => [400, 'request aborted'],
  'request.size.invalid': () => [400, 'request body is shorter or longer than its Content-Length'],
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `no route for ${req.method} ${req.path.slice(0, 200)}`));
};

/** The status and the words to answer for an error: the client's fault (4xx) or ours (500). */
export function classify(error: unknown): [status: number, message: string] {
  if (error instanceof HttpError) return [error.status, error.message];
  const fault = error as { type?: unknown; limit?: number; status?: unknown; statusCode?: unknown };
  const mapped = typeof fault.type === 'string' ? BODY_ERRORS[fault.type] : undefined;
  if (mapped) return mapped(fault.limit ?? 0);
  // express's router: a path parameter that is not valid percent-encoding.
  if (error instanceof URIError) return [400, 'the URL has invalid percent-encoding'];
  if (isUnavailable(error)) return [503, 'the database is unavailable; try again shortly'];
  const status = Number(fault.status ?? fault.statusCode);
  // Any other library error that says it is the client's (http-errors' 4xx), in our words.
  if (status >= 400 && status < 500) return [status, 'the request could not be read'];
  return [500, 'internal error'];
}

/** An error as an HTML page: the status and the words the JSON answer would carry. */
export type ErrorPage = (status: number, message: string) => string;

/**
 * Has the error handler answer this request's errors (a 404 included) as the page `page`
 * draws, when the request asks for HTML: what a part serving pages (the console) sets
 * for its paths. An API client, a script's fetch or an htmx request still gets JSON.
 */
export function errorsAsPages(res: Response, page: ErrorPage): void {
  (res.locals as { errorPage?: ErrorPage }).errorPage = page;
}

/** Paths of the pages (not the APIs, the platform or the callback), read by a browser. */
const API_PATH = /^\/(api|admin\/api|sim\/api|cgi-bin|wechat)(\/|$)/;
const isPagePath = (req: Request) => req.method === 'GET' && !API_PATH.test(req.path);

/** A page for a browser that asked for one the service does not have, with the ways in. */
const plainPage: ErrorPage = (status, message) =>
  layout({
    title: status === 404 ? 'Not found' : 'Something went wrong',
    bodyClass: 'login',
    body: html`<main class="login-box">
      <h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1>
      <p role="alert">
        ${status >= 500 ? 'The page could not be shown; the log says why.' : message}
      </p>
      <p><a href="/">The phone page</a> · <a href="/admin">the console</a></p>
    </main>`,
  }).text;

/** A browser's navigation (HTML first), not a script's request for a piece. */
const wantsPage = (req: Request) =>
  req.accepts(['json', 'html']) === 'html' && req.get('hx-request') === undefined;

/**
 * The one error handler: a JSON `{error}` with a precise status, or the page its part
 * drew for a browser (`errorsAsPages`); never a stack trace. A client's fault is logged
 * at warn with its reason only; ours at error with the stack.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const [status, message] = classify(error);
    const where = { method: req.method, path: req.path.slice(0, 200) };
    // A database error is logged by its code and message only (pg's carries the query's
    // context); so is a lost database, which every request says while it is away.
    const err = error instanceof pg.DatabaseError || isUnavailable(error) ? describe(error) : error;
    if (status >= 500) log.error({ err, ...where }, 'request failed');
    else log.warn({ status, reason: message, ...where }, 'request refused');
    if (res.headersSent) return;
    const page = (res.locals as { errorPage?: ErrorPage }).errorPage;
    const drawn = page ?? (isPagePath(req) ? plainPage : undefined);
    if (drawn && wantsPage(req)) {
      try {
        res.status(status).type('html').send(drawn(status, message));
        return;
      } catch (failed) {
        log.error({ err: failed, ...where }, 'error page failed');
      }
    }
    res.status(status).json({ error: message });
  };
}
