import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chat, startTempService, type TempService } from '../helpers/temp-service.ts';

const TOKEN = 'test-admin-token-0123456789';
const SAMPLE_ENTRIES = 13;
const MAX_ARTICLES = 8;
const UPCOMING = 10;

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

const start = (env: Record<string, string> = {}) =>
  startTempService({
    env: { ADMIN_TOKEN: TOKEN, NODE_ENV: 'production', ACCOUNT_TYPE: 'service', ...env },
  });

async function admin(
  path: string,
  {
    method = 'GET',
    body,
    token = TOKEN,
  }: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${running!.url}/admin/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the admin API', () => {
  it('refuses requests without the token (401), with a wrong one (401), and everything when no token is set (403)', async () => {
    running = await start();
    expect((await admin('/broadcasts', { token: null })).status).toBe(401);
    expect((await admin('/broadcasts', { token: 'wrong-token-wrong-token' })).status).toBe(401);
    expect((await admin('/broadcasts')).status).toBe(200);
    await running.cleanup();

    running = await startTempService({ env: { NODE_ENV: 'production' } });
    const refused = await admin('/broadcasts', { token: null });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toContain('ADMIN_TOKEN');
    await running.cleanup();

    running = await startTempService({ env: { NODE_ENV: 'development' } });
    expect((await admin('/broadcasts', { token: null })).status).toBe(401);
    expect((await admin('/broadcasts', { token: running.adminToken! })).status).toBe(200);
  });

  it('broadcasts all due entries now into subscribers’ inboxes and reports the counts', async () => {
    running = await start();
    for (const user of ['alice', 'bob']) await chat(running.url, { user, event: 'subscribe' });

    const created = await admin('/broadcasts', { method: 'POST' });
    expect(created.status).toBe(201);
    const broadcast = created.json.broadcast as { id: number; entryIds: string[] };
    expect(broadcast.entryIds).toHaveLength(MAX_ARTICLES);

    await until(async () => {
      const { json } = await admin(`/broadcasts/${broadcast.id}`);
      return (json.broadcast as { status: string }).status === 'done';
    }, 'the broadcast to finish');
    const { json } = await admin(`/broadcasts/${broadcast.id}`);
    expect(json.broadcast).toMatchObject({ counts: { total: 2, sent: 2, failed: 0 } });
    const inbox = (await fetch(`${running.url}/api/users/alice/inbox`).then((r) => r.json())) as {
      items: unknown[];
    };
    expect(inbox.items[0]).toMatchObject({
      source: `broadcast:${broadcast.id}`,
      reply: { type: 'articles' },
    });

    const list = await admin('/broadcasts?limit=5');
    expect(list.json.items).toMatchObject([{ id: broadcast.id }]);
  });

  it('answers a dry run and a preview, and refuses what cannot be sent with 409 and the reason', async () => {
    running = await start({ ACCOUNT_TYPE: 'subscription' });
    await chat(running.url, { user: 'alice', event: 'subscribe' });

    const dry = await admin('/broadcasts', { method: 'POST', body: { dryRun: true } });
    expect(dry.json.dryRun).toMatchObject({ recipients: 1, byChannel: { api: 1 } });
    const preview = await admin('/broadcasts', { method: 'POST', body: { preview: 'alice' } });
    expect(preview.json.broadcast).toMatchObject({ kind: 'preview', counts: { total: 1 } });
    // A preview to someone who was never a subscriber there would go nowhere: 404.
    for (const [body, error] of [
      [{ preview: 'nobody' }, 'no subscriber nobody on any channel'],
      [{ preview: 'nobody', channel: 'api' }, 'no subscriber nobody on channel api'],
      [{ preview: 'alice', channel: 'wechat' }, 'no subscriber alice on channel wechat'],
      [{ preview: 'constructor' }, 'no subscriber constructor on any channel'],
      [{ preview: '__proto__', channel: 'api' }, 'no subscriber __proto__ on channel api'],
    ] as const) {
      expect(await admin('/broadcasts', { method: 'POST', body })).toMatchObject({
        status: 404,
        json: { error },
      });
    }

    expect(
      (await admin('/broadcasts', { method: 'POST', body: { entries: ['account-launch'] } }))
        .status,
    ).toBe(201);
    const again = await admin('/broadcasts', {
      method: 'POST',
      body: { entries: ['account-launch'] },
    });
    expect(again).toMatchObject({
      status: 409,
      json: { error: expect.stringContaining('already broadcast') },
    });
    const overQuota = await admin('/broadcasts', { method: 'POST', body: {} });
    expect(overQuota).toMatchObject({
      status: 409,
      json: { error: expect.stringContaining('once a day') },
    });
  });

  it('names what is wrong with a request', async () => {
    running = await start();
    const cases: [string, { method?: string; body?: unknown }, number, string][] = [
      ['/broadcasts', { method: 'POST', body: { entries: [] } }, 400, 'entries'],
      [
        '/broadcasts',
        { method: 'POST', body: { entries: ['no-such-entry'] } },
        400,
        'no-such-entry',
      ],
      ['/broadcasts', { method: 'POST', body: { sendAt: 'now' } }, 400, 'unknown field "sendAt"'],
      ['/broadcasts/999', {}, 404, 'no broadcast 999'],
      ['/broadcasts/abc/cancel', { method: 'POST' }, 404, 'no broadcast'],
      ['/broadcasts?limit=1000', {}, 400, 'limit'],
      ['/subscribers?state=gone', {}, 400, 'state'],
      ['/subscribers?channel=No%20Such', {}, 400, 'channel: must be a channel name'],
    ];
    for (const [path, options, status, message] of cases) {
      const answer = await admin(path, options);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.json.error).toContain(message);
    }
  });

  it('cancels a broadcast that is still sending', async () => {
    // A slow dispatcher (one delivery a second) leaves deliveries pending to cancel.
    running = await start({ DISPATCH_RATE_PER_SECOND: '1', DISPATCH_BATCH_SIZE: '1' });
    for (const user of ['a', 'b', 'c', 'd']) await chat(running.url, { user, event: 'subscribe' });
    const { json } = await admin('/broadcasts', { method: 'POST' });
    const { id } = json.broadcast as { id: number };
    const cancelled = await admin(`/broadcasts/${id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.broadcast).toMatchObject({ status: 'cancelled' });
    expect((await admin(`/broadcasts/${id}/cancel`, { method: 'POST' })).status).toBe(200);
  });

  it('lists each schedule’s next 10 fire times in its time zone', async () => {
    running = await start({
      BROADCAST_CRON: '0 9 * * *; 30 18 * * 5',
      BROADCAST_TZ: 'Europe/Berlin',
    });
    const { json } = await admin('/schedule');
    const schedules = json.schedules as { expression: string; kind: string; next: string[] }[];
    expect(schedules.map((s) => [s.kind, s.expression])).toEqual([
      ['scheduled', '0 9 * * *'],
      ['scheduled', '30 18 * * 5'],
      ['digest', '0 20 * * *'],
    ]);
    expect(schedules[0]!.next).toHaveLength(UPCOMING);
    expect(schedules[0]!.next[0]).toMatch(/T09:00:00\+0[12]:00$/);
  });

  it('creates an entry as a file in messages/entries, refuses an existing id, and validates it like the library', async () => {
    running = await start();
    const entry = {
      id: 'new-briefing',
      title: 'A new briefing',
      date: '2025-01-06',
      topics: ['events'],
      body: 'The briefing took place.',
    };
    const created = await admin('/entries', { method: 'POST', body: entry });
    expect(created).toMatchObject({ status: 201, json: { entry: { id: 'new-briefing' } } });
    const file = await readFile(join(running.messagesDir, 'entries', 'new-briefing.md'), 'utf8');
    expect(file).toContain('title: A new briefing');
    expect(running.service.library.size()).toBe(SAMPLE_ENTRIES + 1);

    expect((await admin('/entries', { method: 'POST', body: entry })).status).toBe(409);
    const badDate = await admin('/entries', {
      method: 'POST',
      body: { ...entry, id: 'x', date: 'soon' },
    });
    expect(badDate).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('date') },
    });
  });

  it('changes an existing entry with PUT, rereads it at once, and never creates one', async () => {
    running = await start();
    const entry = {
      title: 'A changed title',
      date: '2025-01-06',
      keywords: ['changed'],
      body: 'The body, **changed**.',
    };
    const changed = await admin('/entries/account-launch', { method: 'PUT', body: entry });
    expect(changed).toMatchObject({
      status: 200,
      json: { entry: { id: 'account-launch', title: 'A changed title' } },
    });
    const file = await readFile(join(running.messagesDir, 'entries', 'account-launch.md'), 'utf8');
    expect(file).toContain('title: A changed title');
    expect(running.service.library.get('account-launch')?.body).toBe('The body, **changed**.');
    expect(running.service.library.size()).toBe(SAMPLE_ENTRIES);

    const missing = await admin('/entries/no-such-entry', { method: 'PUT', body: entry });
    expect(missing).toMatchObject({
      status: 404,
      json: { error: 'there is no entry "no-such-entry"' },
    });
    expect(running.service.library.size()).toBe(SAMPLE_ENTRIES);
    const badDate = await admin('/entries/account-launch', {
      method: 'PUT',
      body: { ...entry, date: 'soon' },
    });
    expect(badDate).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('date') },
    });
    const withId = await admin('/entries/account-launch', {
      method: 'PUT',
      body: { ...entry, id: 'other' },
    });
    expect(withId).toMatchObject({ status: 400, json: { error: 'body: unknown field "id"' } });
  });

  it('broadcasts to one declared topic’s followers, and refuses an unknown topic or a topic preview', async () => {
    running = await start();
    await chat(running.url, { user: 'eve', text: 'subscribe events' });
    await chat(running.url, { user: 'sam', event: 'subscribe' });
    const dry = await admin('/broadcasts', {
      method: 'POST',
      body: { dryRun: true, topic: 'Events' },
    });
    expect(dry).toMatchObject({
      status: 200,
      json: { dryRun: { recipients: 1, sample: [{ userId: 'eve' }] } },
    });
    const unknown = await admin('/broadcasts', { method: 'POST', body: { topic: 'cooking' } });
    expect(unknown).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('there is no topic "cooking"') },
    });
    const preview = await admin('/broadcasts', {
      method: 'POST',
      body: { topic: 'events', preview: 'eve' },
    });
    expect(preview.status).toBe(400);
  });

  it('lists subscribers page by page, and the queries the account could not answer', async () => {
    running = await start();
    for (const user of ['a', 'b', 'c']) await chat(running.url, { user, event: 'subscribe' });
    await chat(running.url, { user: 'a', text: 'quantum chromodynamics' });
    const first = await admin('/subscribers?limit=2');
    expect(first.json).toMatchObject({ items: [{ userId: 'a' }, { userId: 'b' }], next: 'api:b' });
    const second = await admin('/subscribers?limit=2&after=api:b');
    expect(second.json).toMatchObject({ items: [{ userId: 'c' }], next: null });
    await chat(running.url, { user: 'b', text: 'subscribe events' });
    const byTopic = await admin('/subscribers?channel=api&topic=events');
    expect(byTopic.json).toMatchObject({ items: [{ userId: 'b', topics: ['events'] }] });
    expect((await admin('/subscribers?channel=wechat')).json.items).toEqual([]);
    const unanswered = await admin('/unanswered');
    expect(unanswered.json.items).toMatchObject([{ query: 'quantum chromodynamics', count: 1 }]);
  });
});

describe('broadcast preferences by message', () => {
  it('sets quiet hours, time zone and digest mode in English and Chinese', async () => {
    running = await start();
    const say = async (text: string) => {
      const { json } = await chat(running!.url, { user: 'li', text });
      return (json.replies as { text: string }[])[0]!.text;
    };
    expect(await say('quiet 22-7')).toContain('22:00-07:00');
    expect(await say('时区 europe/berlin')).toContain('Europe/Berlin');
    expect(await say('摘要 每天')).toContain('Digest on');
    expect(await running.service.subscribers.get('api', 'li')).toMatchObject({
      quiet: { start: 22 * 60, end: 7 * 60 },
      timeZone: 'Europe/Berlin',
      digest: 'daily',
    });
    expect(await say('免打扰 关闭')).toContain('Quiet hours off');
    expect(await say('digest off')).toContain('Digest off');
    expect(await say('timezone Mars/Olympus')).toContain('not a time zone');
    expect(await say('help')).toContain('quiet 22-7 / 免打扰 22-7');
  });
});
