import express from 'express';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { Json } from './api.ts';
import type { RawCall } from './dispatch.ts';
import { PlatformError, failure } from './errcodes.ts';

/** Mass lists are big (10,000 OpenIDs); nothing the platform takes is bigger than 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The HTTP edge of the platform API: `/cgi-bin/<api>` in, the platform's JSON out. */
export function platformRouter(
  dispatch: (call: RawCall) => Promise<Json>,
  clock: Clock,
  log?: Pick<Logger, 'warn'>,
): express.Router {
  const router = express.Router();
  router.use(
    '/cgi-bin',
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req, res) => {
      const api = req.path.replace(/^\/+|\/+$/g, '');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const query = flatQuery(req.query);
      res.json(await dispatch({ api, method: req.method, query, body, now: clock.now() }));
    },
  );
  // A body the reader refused (too big, bad encoding) is the platform's "data format error".
  router.use(
    '/cgi-bin',
    (error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const tooBig = (error as { type?: string }).type === 'entity.too.large';
      const reason = tooBig ? 'the body is over 1 MiB' : 'the body could not be read';
      log?.warn({ reason }, 'platform API body refused');
      res.json(failure(new PlatformError(47001, reason), clock.now()));
    },
  );
  return router;
}

/** Query values as single strings: a repeated key keeps its first value. */
function flatQuery(query: express.Request['query']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') flat[key] = first;
  }
  return flat;
}
