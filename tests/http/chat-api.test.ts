import { afterEach, describe, expect, it } from 'vitest';
import { chat, startTempService, type TempService } from '../helpers/temp-service.ts';

type Replies = {
  type: string;
  text?: string;
  articles?: { id: string; title: string; url: string }[];
}[];
const replies = (json: Record<string, unknown>) => json.replies as Replies;

const FOLLOW_GREETING = 'Welcome to the WeChat account';
const DEFAULT_REPLY = 'Sorry, I found nothing on that';

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

describe('POST /api/chat', () => {
  it('follows, answers keywords and searches, and keeps the subscription across a restart', async () => {
    running = await startTempService();
    const follow = await chat(running.url, { user: 'alice', event: 'subscribe' });
    expect(follow.status).toBe(200);
    expect(replies(follow.json)[0]?.text).toContain(FOLLOW_GREETING);
    expect((await running.service.subscribers.get('api', 'alice'))?.state).toBe('active');

    const about = replies((await chat(running.url, { user: 'alice', text: 'About' })).json);
    expect(about.map((r) => r.type)).toEqual(['text', 'articles']);
    expect(about[1]?.articles?.[0]?.id).toBe('account-launch');

    const search = replies(
      (await chat(running.url, { user: 'alice', text: 'young politicians' })).json,
    );
    expect(search[0]?.articles?.[0]?.id).toBe('youth-exchange-programme');

    await chat(running.url, { user: 'alice', text: 'subscribe events' });
    running = await running.restart();
    expect(await running.service.subscribers.get('api', 'alice')).toMatchObject({
      state: 'active',
      topics: ['events'],
    });

    await chat(running.url, { user: 'alice', text: 'unsubscribe' });
    running = await running.restart();
    expect((await running.service.subscribers.get('api', 'alice'))?.state).toBe('unsubscribed');
  });

  it('answers help and latest in English and Chinese', async () => {
    running = await startTempService();
    for (const text of ['help', '帮助']) {
      const [help] = replies((await chat(running.url, { user: 'bob', text })).json);
      expect(help?.text).toContain('latest [N] / 最新');
    }
    for (const text of ['latest', '最新']) {
      const [latest] = replies((await chat(running.url, { user: 'bob', text })).json);
      expect(latest?.type).toBe('articles');
      expect(latest?.articles?.[0]?.id).toBe('archive-search-tips');
    }
  });

  it('finds Chinese words written without spaces', async () => {
    running = await startTempService();
    const [found] = replies((await chat(running.url, { user: 'li', text: '人类命运共同体' })).json);
    expect(found?.articles?.[0]?.id).toBe('shared-future-for-mankind');
    const [anniversary] = replies((await chat(running.url, { user: 'li', text: '七十周年' })).json);
    expect(anniversary?.articles?.map((a) => a.id)).toContain('department-70th-anniversary');
  });

  it('counts a hit for the keyword rule that answered, and none for search or the default', async () => {
    running = await startTempService();
    for (const text of ['About', 'about', 'young politicians', 'quantum chromodynamics'])
      await chat(running.url, { user: 'dan', text });
    const store = running.service.conversations;
    expect(await store.ruleHits()).toEqual([{ rule: 'about', hits: 2 }]);
    const [hour] = await store.ruleHitsByHour(new Date(Date.now() - 3_600_000));
    expect(hour).toMatchObject({ rule: 'about', hits: 2 });
    expect(Date.now() - hour!.hour.getTime()).toBeLessThan(3_600_000);
    expect(await store.ruleHits(new Date(Date.now() + 7_200_000))).toEqual([]);
  });

  it('gives the default reply for a query that finds nothing and records it as unanswered', async () => {
    running = await startTempService();
    const [reply] = replies(
      (await chat(running.url, { user: 'carol', text: 'quantum chromodynamics' })).json,
    );
    expect(reply?.text).toContain(DEFAULT_REPLY);
    const unanswered = await running.service.conversations.unanswered();
    expect(unanswered).toEqual([
      { query: 'quantum chromodynamics', count: 1, lastAt: expect.any(Date) },
    ]);
  });

  it('answers a menu click with the replies the menu maps it to', async () => {
    running = await startTempService();
    const [reply] = replies(
      (await chat(running.url, { user: 'dan', event: 'click', key: 'ABOUT' })).json,
    );
    expect(reply?.articles?.[0]?.id).toBe('account-launch');
  });

  it.each([
    [{ user: 'x' }, 400, 'body: send either "text" or "event"'],
    [
      { user: 'x', text: 'hi', event: 'click' },
      400,
      'body: send either "text" or "event", not both',
    ],
    [{ user: 'x', text: 'hi', event: 'subscribe' }, 400, 'not both'],
    [{ text: 'hi' }, 400, 'user: is required'],
    [{ user: 'x', event: 'click', key: '' }, 400, 'key: must not be empty'],
    [{ user: 'x', text: 42 }, 400, 'text: must be a string'],
    [['x'], 400, 'body: must be a JSON object'],
    [{ user: '', text: 'hi' }, 400, 'user: must not be empty'],
    [{ user: 'a b', text: 'hi' }, 400, 'user: may contain only'],
    [{ user: 'x'.repeat(129), text: 'hi' }, 400, 'user: must be at most 128 characters'],
    [{ user: 'x', text: '' }, 400, 'text: must not be empty'],
    [{ user: 'x', text: 'y'.repeat(2001) }, 400, 'text: must be at most 2000 characters'],
    [{ user: 'x', text: 1 }, 400, 'text: must be a string'],
    [{ user: 'x', event: 'dance' }, 400, 'event: must be subscribe, unsubscribe or click'],
    [{ user: 'x', event: 'click' }, 400, 'key: is required for a click event'],
    [{ user: 'x', text: 'hi', extra: 1 }, 400, 'body: unknown field "extra"'],
  ])('refuses %j with %i naming the problem', async (body, status, message) => {
    running ??= await startTempService();
    const res = await chat(running.url, body);
    expect(res.status).toBe(status);
    expect(res.json.error).toContain(message);
  });

  it('refuses malformed JSON, a wrong content type and an oversized body, and keeps serving', async () => {
    running = await startTempService();
    const post = (body: string, type = 'application/json') =>
      fetch(`${running!.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });

    const malformed = await post('{"user": "x", ');
    expect([malformed.status, await malformed.json()]).toEqual([
      400,
      { error: 'request body is not valid JSON' },
    ]);
    const wrongType = await post('user=x&text=hi', 'application/x-www-form-urlencoded');
    expect([wrongType.status, await wrongType.json()]).toEqual([
      415,
      { error: 'content-type must be application/json' },
    ]);
    const huge = await post(JSON.stringify({ user: 'x', text: 'y'.repeat(70 * 1024) }));
    expect([huge.status, await huge.json()]).toEqual([
      413,
      { error: 'request body is larger than 64 KiB' },
    ]);

    const ok = await chat(running.url, { user: 'x', text: 'help' });
    expect(ok.status).toBe(200);
  });
});

describe('other routes', () => {
  it('pages a user inbox newest first', async () => {
    running = await startTempService();
    const now = new Date('2025-01-01T00:00:00Z');
    for (let i = 1; i <= 5; i++)
      await running.service.inbox.deliver(
        'api',
        'erin',
        { type: 'text', text: `note ${i}` },
        'test',
        now,
      );
    const first = (await (await fetch(`${running.url}/api/users/erin/inbox?limit=2`)).json()) as {
      items: { id: number; reply: { text: string } }[];
      next: number;
    };
    expect(first.items.map((item) => item.reply.text)).toEqual(['note 5', 'note 4']);
    const second = (await (
      await fetch(`${running.url}/api/users/erin/inbox?limit=2&before=${first.next}`)
    ).json()) as typeof first;
    expect(second.items.map((item) => item.reply.text)).toEqual(['note 3', 'note 2']);

    const bad = await fetch(`${running.url}/api/users/erin/inbox?limit=500`);
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'limit: must be 1 to 100' }]);
  });

  it('serves health, entry pages and a JSON 404', async () => {
    running = await startTempService();
    expect(await (await fetch(`${running.url}/healthz`)).json()).toEqual({
      status: 'ok',
      entries: 13,
      database: { kind: 'sqlite', ok: true, ms: expect.any(Number) },
    });
    const page = await fetch(`${running.url}/entries/account-launch`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(
      '<h1>WeChat Public Account of the IDCPC Information Office Launched',
    );
    const missing = await fetch(`${running.url}/entries/nope`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'no entry "nope"' }]);
    const unknown = await fetch(`${running.url}/nowhere`);
    expect(unknown.status).toBe(404);
  });
});
