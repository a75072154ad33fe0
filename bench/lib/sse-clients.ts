import { request, type ClientRequest } from 'node:http';

/**
 * `count` clients of a server-sent event stream, each waiting for the first frame of
 * `event` whose data contains `marker`, and noting when it came (performance.now()).
 */
export async function openSseClients(
  url: string,
  count: number,
  headers: Record<string, string>,
  match: { event: string; marker: string },
): Promise<{ arrivals: Promise<number[]>; close: () => void }> {
  const requests: ClientRequest[] = [];
  const connected: Promise<void>[] = [];
  const arrived: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    let onConnect!: () => void;
    connected.push(new Promise((resolve) => (onConnect = resolve)));
    arrived.push(
      new Promise((resolve, reject) => {
        const req = request(
          url,
          { headers: { accept: 'text/event-stream', ...headers } },
          (res) => {
            if (res.statusCode !== 200) return reject(new Error(`SSE answered ${res.statusCode}`));
            let buffer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              if (buffer.includes(': connected')) onConnect();
              let end: number;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                if (frame.includes(`event: ${match.event}\n`) && frame.includes(match.marker))
                  resolve(performance.now());
              }
            });
          },
        );
        req.on('error', () => {});
        req.end();
        requests.push(req);
      }),
    );
  }
  await Promise.all(connected);
  return { arrivals: Promise.all(arrived), close: () => requests.forEach((r) => r.destroy()) };
}

/** The p-th percentile (0..100) of values, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}
