/**
 * The load generator, in a process of its own so it does not share the event loop (and
 * the core) of the server it measures. Options come as a JSON file; the result goes to
 * standard output as one JSON line.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { LoadOptions } from './http-load.ts';

const options = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadOptions;
let next = 0;
const sequence = options.sequence;
const result = await autocannon({
  url: options.url,
  method: options.method ?? 'GET',
  headers: options.headers,
  body: options.body,
  duration: options.seconds,
  connections: options.connections,
  pipelining: 1,
  requests: sequence
    ? [
        {
          setupRequest: (request) => {
            // Each request takes the next prebuilt one (distinct message ids, fresh nonces).
            const step = sequence[next++ % sequence.length]!;
            return { ...request, path: step.path, body: step.body };
          },
        },
      ]
    : undefined,
});
process.stdout.write(
  `${JSON.stringify({ rps: result.requests.average, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, sent: result.requests.sent })}\n`,
);
