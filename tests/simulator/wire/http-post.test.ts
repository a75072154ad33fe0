import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postText, PostTimeout } from '../../../src/simulator/callback/http-post.ts';

const XML = { contentType: 'text/xml; charset=utf-8', timeoutMs: 5000, maxChars: 64 * 1024 };

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done) ?? done(undefined));
  server = undefined;
});

async function listen(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat?x=1`;
}

/** Reads a request's body, then calls `then` with it. */
const readBody = (req: http.IncomingMessage, then: (body: string) => void) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => then(body));
};

describe("the callback client's POST", () => {
  it('sends the body with its type and answers the status and the text, cut at maxChars', async () => {
    const url = await listen((req, res) =>
      readBody(req, (body) =>
        res
          .writeHead(201, { 'content-type': 'text/plain' })
          .end(`${req.headers['content-type']} ${req.url} ${body} 微信`),
      ),
    );
    const answer = await postText(url, '<xml>你好</xml>', XML);
    expect(answer).toEqual({
      status: 201,
      body: 'text/xml; charset=utf-8 /wechat?x=1 <xml>你好</xml> 微信',
    });
    const cut = await postText(url, 'abc', { ...XML, maxChars: 10 });
    expect(cut.body).toBe('text/xml; ');
  });

  it('gives up with a timeout when no answer comes in time', async () => {
    const url = await listen(() => {}); // never answers
    await expect(postText(url, 'x', { ...XML, timeoutMs: 100 })).rejects.toBeInstanceOf(
      PostTimeout,
    );
  });

  it('fails, without a timeout, when nothing listens', async () => {
    const error = await postText('http://127.0.0.1:1/wechat', 'x', XML).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PostTimeout);
  });

  it('sends a POST again on a new connection when a kept-alive one was closed under it', async () => {
    const seen = new Map<unknown, number>();
    let received = 0;
    const url = await listen((req, res) =>
      readBody(req, () => {
        received++;
        const count = (seen.get(req.socket) ?? 0) + 1;
        seen.set(req.socket, count);
        // The second request on a connection finds it closed, unanswered.
        if (count === 2) req.socket.destroy();
        else res.end('ok');
      }),
    );
    expect((await postText(url, 'one', XML)).body).toBe('ok');
    expect((await postText(url, 'two', XML)).body).toBe('ok');
    expect(received).toBe(3);
    expect(seen.size).toBe(2);
  });
});
