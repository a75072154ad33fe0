/**
 * The phone page. (1) Time to first render with a 1,000-item timeline, in chromium: from
 * navigation until the newest bubble is in the DOM, against a static page of the same
 * size (the page's own rendered DOM, scripts removed, from a bare express route) in the
 * same run. (2) Live fan-out: from a mass send (`message/mass/sendall`) to its
 * timeline event at 100 open event streams (`GET /sim/api/events`, what each open page
 * holds), p50/p99, against a bare SSE broadcast of one frame to 100 clients.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { DEV_ACCOUNT } from '../src/wire/dev-account.ts';
import { openSseClients, percentile } from './lib/sse-clients.ts';
import { startBenchService } from './lib/temp-service.ts';
import type { BenchRow } from './lib/table.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Timeline items: user messages and the account's replies, every tenth an article card. */
const ITEMS = 1000;
const ROUNDS = 5;
const CLIENTS = 100;
const FANOUT_ROUNDS = 3;

type Service = Awaited<ReturnType<typeof startBenchService>>;

function caller(service: Service) {
  const headers = {
    authorization: `Bearer ${service.service.adminToken!.token}`,
    'content-type': 'application/json',
  };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<T>;
  };
}

/** A bare express server answering one HTML page. */
async function staticServer(page: string) {
  const app = express();
  app.get('/', (_req, res) => void res.type('html').send(page));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** ms from navigation start until `selector` is in the DOM. */
async function timeToRender(page: Page, url: string, selector: string): Promise<number> {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(selector, { state: 'attached', timeout: 60_000 });
  return page.evaluate(() => performance.now());
}

const median = (values: number[]) => percentile(values, 50);

async function firstRender(): Promise<BenchRow[]> {
  const service = await startBenchService({ SIMULATOR: 'on' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const call = caller(service);
    const { user } = await call<{ user: { openid: string } }>('POST', '/sim/api/users', {
      nickname: '基准 bench',
    });
    await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'follow' });
    for (let i = 1; i * 2 < ITEMS; i++) {
      const text = i % 10 === 0 ? 'anniversary' : `help ${i}`;
      await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'text', text });
    }
    const { items } = await call<{ items: { id: number }[] }>(
      'GET',
      `/sim/api/users/${user.openid}/timeline?limit=1`,
    );
    const last = `li[data-id="${items[0]!.id}"]`;
    const page = await browser.newPage();
    await page.goto(`${service.url}/login?next=/`);
    await page.getByLabel('Token').fill(service.service.adminToken!.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    const phoneUrl = `${service.url}/?user=${user.openid}`;
    await timeToRender(page, phoneUrl, last); // warm: the bundle is built on first request
    const count = await page.locator('.chat li').count();
    if (count < ITEMS) throw new Error(`the phone drew ${count} items, not ${ITEMS}`);
    // The baseline: the same DOM as a static page (scripts out, styles inlined, no fetches).
    const css = await (await fetch(`${service.url}/assets/phone/phone.css`)).text();
    const base = await (await fetch(`${service.url}/assets/web/base.css`)).text();
    const html = (await page.content())
      .replace(/<script[^>]*>[\s\S]*?<\/script>/g, '')
      .replace(/<link rel="stylesheet"[^>]*>/g, '')
      .replace('</head>', `<style>${base}\n${css}</style></head>`);
    const bare = await staticServer(html);
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await timeToRender(page, bare.url, last));
      ours.push(await timeToRender(page, phoneUrl, last));
    }
    await bare.close();
    const kb = Math.round(Buffer.byteLength(html) / 1024);
    return [
      {
        name: `phone page, ${ITEMS}-item timeline, chromium`,
        metric: 'time to last bubble (median)',
        value: median(ours),
        unit: 'ms',
        baseline: { name: `static page of the same DOM, ${kb} KB`, value: median(baseline) },
      },
    ];
  } finally {
    await browser.close();
    await service.close();
  }
}

/** One mass send to two followers; when each of the 100 streams received it. */
async function fanOutOurs(): Promise<number[]> {
  const service = await startBenchService({ SIMULATOR: 'on', ACCOUNT_TYPE: 'service' });
  try {
    const call = caller(service);
    const { openids } = await call<{ openids: string[] }>('POST', '/sim/api/users', {
      count: 2,
      seed: 'fanout',
    });
    for (const openid of openids)
      await call('POST', `/sim/api/users/${openid}/actions`, { type: 'follow' });
    const clients = await openSseClients(
      `${service.url}/sim/api/events`,
      CLIENTS,
      { authorization: `Bearer ${service.service.adminToken!.token}` },
      { event: 'timeline', marker: '"source":"mass"' },
    );
    // The platform's own mass send, as the account's API client makes it.
    const { access_token: token } = await call<{ access_token: string }>(
      'GET',
      `/cgi-bin/token?grant_type=client_credential&appid=${DEV_ACCOUNT.appId}&secret=${DEV_ACCOUNT.appSecret}`,
    );
    const started = performance.now();
    const sent = await call<{ errcode: number }>(
      'POST',
      `/cgi-bin/message/mass/sendall?access_token=${token}`,
      { filter: { is_to_all: true }, msgtype: 'text', text: { content: '群发 a mass message' } },
    );
    if (sent.errcode !== 0) throw new Error(`mass send refused: ${JSON.stringify(sent)}`);
    const arrivals = await clients.arrivals;
    clients.close();
    return arrivals.map((at) => at - started);
  } finally {
    await service.close();
  }
}

/** The baseline: a bare express SSE endpoint writing one frame of the same size to 100 clients. */
async function fanOutBare(): Promise<number[]> {
  const app = express();
  const streams = new Set<express.Response>();
  app.get('/events', (req, res) => {
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    res.write(': connected\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  });
  const frame = `id: 1\nevent: timeline\ndata: ${JSON.stringify({
    id: 1,
    openid: 'o'.repeat(28),
    at: new Date().toISOString(),
    source: 'mass',
    message: { msgtype: 'mpnews', articles: [{ title: '标题 a title of an article'.repeat(2) }] },
  })}\n\n`;
  app.post('/emit', (_req, res) => {
    for (const s of streams) s.write(frame);
    res.json({ sent: streams.size });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const clients = await openSseClients(
      `${url}/events`,
      CLIENTS,
      {},
      {
        event: 'timeline',
        marker: '"source":"mass"',
      },
    );
    const started = performance.now();
    await fetch(`${url}/emit`, { method: 'POST' });
    const arrivals = await clients.arrivals;
    clients.close();
    return arrivals.map((at) => at - started);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function fanOut(): Promise<BenchRow[]> {
  const ours: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    bare.push(...(await fanOutBare()));
    ours.push(...(await fanOutOurs()));
  }
  const name = `mass send to ${CLIENTS} open event streams`;
  const baseline = `bare SSE broadcast, ${CLIENTS} clients`;
  return [50, 99].map((p) => ({
    name,
    metric: `p${p} latency`,
    value: percentile(ours, p),
    unit: 'ms',
    baseline: { name: baseline, value: percentile(bare, p) },
  }));
}

export async function pagesBench(): Promise<BenchRow[]> {
  return [...(await firstRender()), ...(await fanOut())];
}
