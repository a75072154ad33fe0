import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempService, type TempService } from '../helpers/temp-service.ts';
import { signedQuery, TOKEN } from '../wechat/platform.ts';

const CHUNK = Buffer.alloc(16 * 1024, 'a');
/** Far past every limit (64 KiB for /api/chat and /wechat, 256 KiB for admin). */
const OFFERED_BYTES = 64 * 1024 * 1024;
/** What the server may take in before it stops reading: the limit plus socket buffers. */
const READ_BOUND_BYTES = 16 * 1024 * 1024;
/** The longest any slow client may hold a connection without finishing its request. */
const MAX_SLOW_CLIENT_MS = 60_000;

let running: TempService;
beforeAll(async () => {
  running = await startTempService({ env: { WECHAT_TOKEN: TOKEN } });
});
afterAll(() => running.cleanup());

/**
 * Streams a chunked body of up to OFFERED_BYTES, one chunk after another as the socket
 * takes them, until the server answers or cuts the connection. Resolves with the status
 * (if any) and how many bytes the server let through.
 */
function streamUntilRefused(
  path: string,
  headers: Record<string, string>,
): Promise<{ status?: number; sent: number }> {
  const { hostname, port } = new URL(running.url);
  return new Promise((resolve) => {
    let sent = 0;
    let status: number | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      req.destroy();
      resolve({ status, sent });
    };
    const req = request({ hostname, port, path, method: 'POST', headers }, (res) => {
      status = res.statusCode;
      res.resume();
      res.once('end', finish);
    });
    req.on('error', finish);
    req.on('close', finish);
    const pump = () => {
      while (!done && sent < OFFERED_BYTES) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

describe('an endless chunked body', () => {
  it.each([
    ['/api/chat', { 'content-type': 'application/json' }],
    ['/admin/api/broadcasts', { 'content-type': 'application/json' }],
    [`/wechat?${signedQuery().query}`, { 'content-type': 'text/xml' }],
  ])('is not read past the limit on %s', async (path, headers) => {
    const auth: Record<string, string> = path.startsWith('/admin')
      ? { authorization: `Bearer ${running.adminToken!}` }
      : {};
    const { status, sent } = await streamUntilRefused(path, { ...headers, ...auth });
    if (status !== undefined) expect(status).toBe(413);
    expect(sent).toBeLessThan(READ_BOUND_BYTES);
  });

  it('leaves the service answering', async () => {
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});

describe('slow clients', () => {
  it('are cut off: headers, whole requests and idle keep-alive connections have time limits', () => {
    const { headersTimeout, requestTimeout, keepAliveTimeout } = running.server;
    for (const limit of [headersTimeout, requestTimeout, keepAliveTimeout]) {
      expect(limit).toBeGreaterThan(0);
      expect(limit).toBeLessThanOrEqual(MAX_SLOW_CLIENT_MS);
    }
    expect(headersTimeout).toBeLessThanOrEqual(requestTimeout);
  });
});
