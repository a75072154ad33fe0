import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log/logger.ts';
import { HttpError } from './http-error.ts';

/** body-parser's error types, mapped to what the client did wrong. */
const BODY_ERRORS: Record<string, (limit: number) => [number, string]> = {
  'entity.too.large': (limit) => [
    413,
    `request body is larger than ${Math.round(limit / 1024)} KiB`,
  ],
  'entity.parse.failed': () => [400, 'request body is not valid JSON'],
  'encoding.unsupported': () => [415, 'unsupported content encoding'],
  'charset.unsupported': () => [415, 'unsupported charset; send UTF-8'],
  'request.aborted': () => [400, 'request aborted'],
  'stream.encoding.set': () => [500, 'internal error'],
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `no route for ${req.method} ${req.path}`));
};

/** The one error handler: a JSON `{error}` with a precise status; never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status = 500;
    let message = 'internal error';
    const bodyError = error as { type?: string; limit?: number };
    if (error instanceof HttpError) {
      [status, message] = [error.status, error.message];
    } else if (bodyError.type && BODY_ERRORS[bodyError.type]) {
      [status, message] = BODY_ERRORS[bodyError.type]!(bodyError.limit ?? 0);
    }
    if (status >= 500)
      log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    else
      log.debug({ status, reason: message, method: req.method, path: req.path }, 'request refused');
    if (res.headersSent) return;
    res.status(status).json({ error: message });
  };
}
