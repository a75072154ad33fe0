import autocannon from 'autocannon';

export interface HttpLoad {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/**
 * Loads one endpoint on loopback for a bounded time and reports requests/s and p99 latency.
 * `requests` lets each request carry its own body (signed XML needs fresh nonces).
 */
export async function loadHttp(options: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requests?: autocannon.Request[];
  seconds?: number;
  connections?: number;
}): Promise<HttpLoad> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    requests: options.requests,
    duration: options.seconds ?? Number(process.env.BENCH_SECONDS ?? 5),
    connections: options.connections ?? 20,
    pipelining: 1,
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
