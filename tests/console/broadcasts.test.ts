import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startTempService, type TempService } from '../helpers/temp-service.ts';
import { consoleClient, type ConsoleClient } from './console-client.ts';

const TOKEN = 'a-test-admin-token-0123456789';
const SUBSCRIBERS = ['ann', 'bob', 'cai'];

let running: TempService;
let client: ConsoleClient;

beforeAll(async () => {
  running = await startTempService({ env: { ADMIN_TOKEN: TOKEN, ACCOUNT_TYPE: 'service' } });
  client = await consoleClient(running.url, TOKEN);
  for (const user of SUBSCRIBERS) await chat(running.url, { user, event: 'subscribe' });
});
afterAll(() => running.cleanup());

/** The page's text with every run of white space as one space: markup is formatted freely. */
const squash = (text: string) => text.replace(/\s+/g, ' ');

/** Reads server-sent events from the console's stream until `done` says enough. */
async function readEvents(done: (text: string) => boolean, start: () => Promise<void>) {
  const controller = new AbortController();
  const res = await fetch(`${running.url}/admin/events`, {
    headers: { cookie: client.cookie },
    signal: controller.signal,
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  await start();
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += value;
  }
  controller.abort();
  return text;
}

describe('the broadcasts section', () => {
  it('shows the form with the entries waiting, and an empty history', async () => {
    const page = await client.get('/admin/broadcasts');
    expect(page.status).toBe(200);
    expect(squash(page.text)).toContain('name="entries" value="youth-exchange-programme"');
    expect(page.text).toContain('sse-connect="/admin/events"');
    expect(page.text).toContain('No broadcast yet.');
  });

  it('runs a dry run: recipients, the quota it uses, the cards, and nothing sent', async () => {
    const dry = await client.post('/admin/broadcasts', {
      action: 'dry',
      audience: 'all',
      entries: ['youth-exchange-programme'],
    });
    expect(dry.status).toBe(200);
    expect(dry.text).toContain('Dry run: nothing was sent');
    expect(dry.text).toMatch(/<strong>3<\/strong> recipients\s+\(api: 3\)/);
    expect(dry.text).toContain('Uses one of each recipient&#39;s 4 broadcasts this month');
    expect(dry.text).toContain('class="cards"');
    expect(await running.service.broadcasting.store.list({ limit: 5 })).toEqual([]);
  });

  it('returns the form with the reason in words when a broadcast is refused', async () => {
    const unknown = await client.post('/admin/broadcasts', {
      action: 'send',
      audience: 'all',
      entries: ['no-such-entry'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/role="alert">there is no entry &quot;no-such-entry&quot;/);
    const nobody = await client.post('/admin/broadcasts', {
      action: 'dry',
      audience: 'preview',
      user: 'nobody',
    });
    expect(nobody.status).toBe(404);
    expect(nobody.text).toContain('no subscriber nobody on any channel');
    const badUser = await client.post('/admin/broadcasts', {
      action: 'dry',
      audience: 'preview',
      user: 'a b',
    });
    expect(badUser.status).toBe(400);
    expect(badUser.text).toContain('user: may contain only letters');
  });

  it('refuses a broadcast form without the CSRF token, and sends nothing', async () => {
    const refused = await client.post('/admin/broadcasts', { action: 'send' }, { csrf: false });
    expect(refused.status).toBe(403);
    expect(await running.service.broadcasting.store.list({ limit: 5 })).toEqual([]);
  });

  it('sends a broadcast, streams its progress to 100 %, and lists its deliveries', async () => {
    let location: string | null = null;
    const stream = await readEvents(
      (text) => /100 %/.test(text),
      async () => {
        const sent = await client.post('/admin/broadcasts', {
          action: 'send',
          audience: 'all',
          entries: ['youth-exchange-programme'],
        });
        expect(sent.status).toBe(303);
        location = sent.location;
      },
    );
    expect(location).toMatch(/^\/admin\/broadcasts\/\d+$/);
    const id = location!.split('/').at(-1)!;
    expect(stream).toContain(`event: broadcast-${id}`);
    expect(stream).toMatch(/data: .*<progress/);
    expect(squash(stream)).toContain('3 of 3 settled: 3 sent');

    const bar = await client.get(`${location!}/progress`);
    expect(squash(bar.text)).toContain('3 of 3 settled: 3 sent');
    const report = await client.get(location!);
    expect(report.status).toBe(200);
    for (const user of SUBSCRIBERS) expect(report.text).toContain(`<code>api:${user}</code>`);
    expect(report.text).toContain('100 %');
    // The same list through the admin API, page by page.
    const apiPage = async (query: string) => {
      const res = await fetch(`${running.url}/admin/api/broadcasts/${id}/deliveries${query}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const first = await apiPage('?limit=2');
    expect(first.json).toMatchObject({
      items: [
        { channel: 'api', userId: 'ann', status: 'sent', attempts: 1 },
        { channel: 'api', userId: 'bob', status: 'sent' },
      ],
    });
    const rest = await apiPage(`?limit=2&after=${String(first.json.next)}`);
    expect(rest.json).toMatchObject({ items: [{ userId: 'cai' }], next: null });
    expect((await apiPage('?limit=0')).status).toBe(400);
    const history = await client.get('/admin/broadcasts');
    expect(history.text).toContain(`href="/admin/broadcasts/${id}"`);
    expect(squash(history.text)).not.toContain('value="youth-exchange-programme"');
  });

  it('cancels a broadcast still sending, and says why one that ended cannot be', async () => {
    const [done] = await running.service.broadcasting.store.list({ limit: 1 });
    const refused = await client.post(`/admin/broadcasts/${done!.id}/cancel`, {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('only one still sending can be cancelled');
    expect((await client.get('/admin/broadcasts/999')).status).toBe(404);

    // A subscriber in their quiet hours keeps a broadcast sending until they end.
    const hour = new Date().getUTCHours();
    for (const text of ['subscribe', 'timezone UTC', `quiet ${hour}-${(hour + 2) % 24}`])
      await chat(running.url, { user: 'dan', text });
    const sent = await client.post('/admin/broadcasts', {
      action: 'send',
      audience: 'all',
      entries: ['archive-search-tips'],
    });
    const id = Number(sent.location!.split('/').at(-1));
    expect((await running.service.broadcasting.store.get(id))!.status).toBe('sending');
    const cancelled = await client.post(`/admin/broadcasts/${id}/cancel`, {});
    expect(cancelled).toMatchObject({ status: 303, location: `/admin/broadcasts/${id}` });
    expect((await running.service.broadcasting.store.get(id))!.status).toBe('cancelled');
    const report = await client.get(`/admin/broadcasts/${id}`);
    expect(report.text).toContain('<span class="badge cancelled">cancelled</span>');
    expect(report.text).not.toContain('Cancel the deliveries not yet sent');
  });

  it('runs a broadcast for one topic’s followers only, and refuses a topic nobody may follow', async () => {
    await chat(running.url, { user: 'eve', text: 'subscribe events' });
    const dry = await client.post('/admin/broadcasts', {
      action: 'dry',
      audience: 'topic',
      topic: 'events',
      entries: ['department-70th-anniversary'],
    });
    expect(dry.status).toBe(200);
    expect(squash(dry.text)).toMatch(/<strong>1<\/strong> recipient \(api: 1\)/);
    expect(squash(dry.text)).toContain('<option value="events" selected>');
    const unknown = await client.post('/admin/broadcasts', {
      action: 'dry',
      audience: 'topic',
      topic: 'cooking',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('topic: there is no topic &quot;cooking&quot;');
  });

  it('sends a preview to one user, outside the quota, and reports it', async () => {
    const sent = await client.post('/admin/broadcasts', {
      action: 'send',
      audience: 'preview',
      user: 'ann',
      channel: 'api',
      entries: ['how-to-use-this-account'],
    });
    expect(sent.status).toBe(303);
    const report = squash((await client.get(sent.location!)).text);
    expect(report).toContain('preview');
    expect(report).toContain('<code>api:ann</code>');
    expect(report).toContain('/entries/how-to-use-this-account');
  });

  it('opens the event stream to a signed-in browser only, and ends it when the hub shuts (at shutdown)', async () => {
    const anonymous = await fetch(`${running.url}/admin/events`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fadmin%2Fevents');
    const res = await fetch(`${running.url}/admin/events`, { headers: { cookie: client.cookie } });
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    running.service.events.close();
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });
});
