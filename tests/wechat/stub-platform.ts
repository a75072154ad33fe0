/** A stub of the platform's `/cgi-bin` API on port 0, scripted per test. */
import express from 'express';
import type { AddressInfo } from 'node:net';

export interface StubCall {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

/** Every media_id the stub answers starts with this. */
export const STUB_MEDIA_PREFIX = 'stub-media-';

export type StubAnswer = { status?: number; json?: unknown; hangMs?: number };

export interface StubPlatform {
  url: string;
  calls: StubCall[];
  /** Calls to one path (without /cgi-bin/), in order. */
  callsTo(path: string): StubCall[];
  /** Answers the next calls to a path with these, in order; then the default. */
  script(path: string, ...answers: StubAnswer[]): void;
  /** Answers every call carrying this access token with the errcode (40001, 42001). */
  expireToken(token: string, errcode: number): void;
  /** Resolves once `count` calls to `path` have arrived. */
  waitFor(path: string, count?: number): Promise<StubCall[]>;
  close(): Promise<void>;
}

export const STUB_TOKEN_PREFIX = 'token-';

export async function startStubPlatform(): Promise<StubPlatform> {
  const calls: StubCall[] = [];
  const scripts = new Map<string, StubAnswer[]>();
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  let tokens = 0;
  const expired = new Map<string, number>();
  const app = express();
  app.use(express.json());
  app.all('/cgi-bin/{*rest}', async (req, res) => {
    const path = req.path.replace('/cgi-bin/', '');
    calls.push({
      path,
      query: req.query as Record<string, string>,
      body: (req.body ?? {}) as Record<string, unknown>,
    });
    for (const waiter of [...waiters])
      if (callsTo(waiter.path).length >= waiter.count) waiter.resolve();
    const refusedWith = expired.get(String(req.query.access_token));
    if (refusedWith) return void res.json({ errcode: refusedWith, errmsg: 'access_token expired' });
    const answer = scripts.get(path)?.shift();
    if (answer?.hangMs) await new Promise((resolve) => setTimeout(resolve, answer.hangMs));
    if (answer)
      return void res
        .status(answer.status ?? 200)
        .json(answer.json ?? { errcode: 0, errmsg: 'ok' });
    if (path === 'token')
      return void res.json({ access_token: `${STUB_TOKEN_PREFIX}${++tokens}`, expires_in: 7200 });
    // Material answers a media_id, made from the call's position so each one differs.
    if (path === 'media/uploadnews' || path === 'material/add_material')
      return void res.json({ type: 'news', media_id: `${STUB_MEDIA_PREFIX}${calls.length}` });
    if (path.startsWith('message/mass/send'))
      return void res.json({
        errcode: 0,
        errmsg: 'send job submission success',
        msg_id: 1000 + calls.length,
        msg_data_id: 2000,
      });
    res.json({ errcode: 0, errmsg: 'ok' });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const callsTo = (path: string) => calls.filter((call) => call.path === path);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    callsTo,
    script(path, ...answers) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...answers]);
    },
    expireToken(token, errcode) {
      expired.set(token, errcode);
    },
    waitFor(path, count = 1) {
      return new Promise((resolve) => {
        const done = () => resolve(callsTo(path));
        if (callsTo(path).length >= count) return done();
        waiters.push({ path, count, resolve: done });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
