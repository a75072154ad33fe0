import express from 'express';
import type { AddressInfo } from 'node:net';

/** The baseline: a bare express 5 endpoint answering a constant JSON body. */
export async function startBareExpress(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  const body = { replies: [{ type: 'text', text: 'hello' }] };
  app.post('/bare', express.json(), (_req, res) => {
    res.json(body);
  });
  app.get('/bare', (_req, res) => {
    res.json(body);
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bare`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
