import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/postgres/database.ts';
import { postgresStorage, type Storage } from '../../src/store/storage.ts';
import { consoleClient } from '../console/console-client.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { proxyPostgres, throughProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

/**
 * Live updates across instances (issue 12): the console's event stream at one instance shows
 * a broadcast that another instance created and sends, through PostgreSQL's LISTEN/NOTIFY.
 */
const TOKEN = 'events-across-admin-token-0123';
const RECIPIENTS = 40;
const ENV = {
  ADMIN_TOKEN: TOKEN,
  NODE_ENV: 'production',
  ACCOUNT_TYPE: 'service',
  // Several batches, so the broadcast moves in steps each instance hears of.
  DISPATCH_BATCH_SIZE: '10',
};

let pg: TestPostgres | undefined;
let storages: Storage[] = [];
let running: TempService[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const one of running) await one.cleanup();
  for (const storage of storages) await storage.close();
  await pg?.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  running = [];
  storages = [];
  pg = undefined;
});

/** Resolves once the service's event hub listens (PostgreSQL's does on a connection of its own). */
async function listening({ service }: TempService): Promise<void> {
  const hub = service.events as Partial<{ listening(): Promise<void> }>;
  await hub.listening?.();
}

/**
 * The console's event stream at `url` as a signed-in browser reads it (it is a page's stream:
 * the session cookie, not a Bearer token), until `enough` holds of what came.
 */
async function readStream(url: string, enough: (text: string) => boolean): Promise<string> {
  const { cookie } = await consoleClient(url, TOKEN);
  const controller = new AbortController();
  const res = await fetch(`${url}/admin/events`, {
    headers: { cookie },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  try {
    while (!enough(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    controller.abort();
  }
  return text;
}

/**
 * Two instances on one fresh schema with `RECIPIENTS` subscribers. A serves the console only
 * (no dispatcher, no jobs: whatever its stream shows came from B), through `proxy` if given.
 */
async function twoInstances(proxy?: TcpProxy): Promise<{ a: TempService; b: TempService }> {
  pg = await openTestPostgres();
  await pg.query(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at)
     SELECT 'api', 'reader-' || i, 'active', '[]', 0, 0 FROM generate_series(1, $1) AS i`,
    [RECIPIENTS],
  );
  const open = (url: string) => openPostgres({ url, schema: pg!.schema, migrate: false, max: 4 });
  storages = [
    postgresStorage(await open(proxy ? throughProxy(pg.url, proxy).toString() : pg.url)),
    postgresStorage(await open(pg.url)),
  ];
  const a = await startTempService({ env: ENV, storage: storages[0], background: false });
  const b = await startTempService({ env: ENV, storage: storages[1] });
  running = [a, b];
  await listening(a);
  return { a, b };
}

/** Creates a broadcast through the admin API at `url`; its id. */
async function broadcastAt(url: string): Promise<number> {
  const res = await fetch(`${url}/admin/api/broadcasts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { broadcast: { id: number } }).broadcast.id;
}

/** The stream carried the broadcast's events only, from sending to every recipient sent. */
async function expectWholeBroadcast(text: string, id: number): Promise<void> {
  const names = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
  expect(names.length).toBeGreaterThan(1);
  expect(new Set(names)).toEqual(new Set([`broadcast-${id}`]));
  expect(text).toContain('class="badge sending"');
  expect(text.replace(/\s+/g, ' ')).toContain(
    `${RECIPIENTS} of ${RECIPIENTS} settled: ${RECIPIENTS} sent`,
  );
  const [broadcast] = await pg!.query('SELECT status, sent FROM broadcasts WHERE id = $1', [id]);
  expect(broadcast).toEqual({ status: 'done', sent: RECIPIENTS });
}

const isDone = (text: string) => text.includes('class="badge done"');

describe.skipIf(!postgresUrl)('live updates across instances', () => {
  it(
    "streams, at one instance's console, a broadcast another instance creates and sends, to done",
    { timeout: 30_000 },
    async () => {
      const { a, b } = await twoInstances();
      const stream = readStream(a.url, isDone);
      // The stream is open (its first comment is written at once) before B broadcasts.
      await new Promise((settle) => setTimeout(settle, 200));
      const id = await broadcastAt(b.url);
      await expectWholeBroadcast(await stream, id);
    },
  );

  it(
    'ends the streams open through a database restart (they may have missed events), and streams again once its listener reconnects',
    { timeout: 30_000 },
    async () => {
      const proxy = await proxyPostgres(postgresUrl!);
      cleanups.push(() => proxy.close());
      const { a, b } = await twoInstances(proxy);
      // Read until the server ends it: the page's cue to connect again and read its state.
      const before = readStream(a.url, () => false);
      await new Promise((settle) => setTimeout(settle, 200));
      // Every connection of A's is cut (its LISTEN too) and refused for a second.
      await proxy.outage(1_000);
      await listening(a);
      expect(await before).not.toContain('event:');
      const stream = readStream(a.url, isDone);
      await new Promise((settle) => setTimeout(settle, 200));
      const id = await broadcastAt(b.url);
      await expectWholeBroadcast(await stream, id);
    },
  );
});
