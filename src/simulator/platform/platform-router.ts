import express from 'express';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { Json } from './api.ts';
import type { RawCall } from './dispatch.ts';
import { PlatformError, failure } from './errcodes.ts';

/** Mass lists are big (10,000 OpenIDs); nothing the platform takes is bigger than 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_API_NAME = 200;

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
      // Names are short; a long path is bounded before it reaches the log.
      const api = req.path.replace(/^\/+|\/+$/g, '').slice(0, MAX_API_NAME);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const query = flatQuery(req.query);
      res.json(await dispatch({ api, method: req.method, query, body, now: clock.now() }));
    },
  );
  // A body the reader refused (too big, bad encoding) is the platform's "data format error";
  // anything else is its "system error". Never a 500 or a stack.
  router.use(
    '/cgi-bin',
    (error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const type = String((error as { type?: unknown }).type ?? '');
      const unreadable = type.startsWith('entity.') || type.startsWith('encoding.');
      const reason =
        type === 'entity.too.large'
          ? 'the body is over 1 MiB'
          : unreadable
            ? 'the body could not be read'
            : 'the simulated platform failed';
      log?.warn({ err: unreadable ? undefined : error, reason }, 'platform API call failed');
      res.json(failure(new PlatformError(unreadable ? 47001 : -1, reason), clock.now()));
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
