import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startTempService, type TempService } from '../helpers/temp-service.ts';
import { getPage, populate, postForm, signedIn, TOKEN, words } from './console-fixture.ts';

/** 12:00 in Beijing on a Monday; the default schedule fires at 09:00 there. */
const NOW = new Date('2026-11-23T04:00:00Z');
const NEXT_NINE = '2026-11-24 09:00';
const DEFAULT_REPLY = 'Sorry, I found nothing on that.';

let running: TempService;
let cookie: string;

beforeAll(async () => {
  running = await startTempService({ env: { ADMIN_TOKEN: TOKEN }, now: () => NOW });
  cookie = await signedIn(running.url);
  await populate(running.url);
  await chat(running.url, { user: 'dee', event: 'subscribe' });
  await chat(running.url, { user: 'dee', text: 'subscribe events' });
});
afterAll(() => running.cleanup());

const textOf = (reply: Record<string, unknown>) => JSON.stringify(reply);

describe('the schedule page', () => {
  it("lists each schedule's next fire times in its zone, and no time travel without the simulator", async () => {
    const { status, text } = await getPage(running.url, cookie, '/admin/schedule');
    expect(status).toBe(200);
    const page = words(text);
    expect(page).toContain('0 9 * * * in Asia/Shanghai');
    expect(text).toContain(`<time datetime="2026-11-24T09:00:00+08:00"`);
    expect(page).toContain(NEXT_NINE);
    expect(page).toContain('Now: 2026-11-23 12:00');
    expect(text).not.toContain('data-clock-advance');
    expect(page).toContain('Time travel needs the simulated platform');
  });
});

describe('the subscribers page', () => {
  it('lists subscribers with their state and topics', async () => {
    const { status, text } = await getPage(running.url, cookie, '/admin/subscribers');
    expect(status).toBe(200);
    const rows = [...text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(rows).toEqual(['ada', 'bo', 'chen', 'dee']);
    expect(words(text)).toContain('dee active events');
  });

  it('filters by state, channel and topic, keeping the filters in the form', async () => {
    const rowsOf = async (query: string) => {
      const { text } = await getPage(running.url, cookie, `/admin/subscribers?${query}`);
      return [...text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    };
    expect(await rowsOf('state=unsubscribed&channel=&topic=')).toEqual(['chen']);
    expect(await rowsOf('topic=events')).toEqual(['dee']);
    expect(await rowsOf('channel=wechat')).toEqual([]);
    const { text } = await getPage(running.url, cookie, '/admin/subscribers?state=active');
    expect(text).toMatch(/<option value="active"\s+selected/);
  });

  it('pages on with a next link that keeps the filters', async () => {
    const first = await getPage(running.url, cookie, '/admin/subscribers?state=active&limit=2');
    const next = /<a href="([^"]+)" rel="next">/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBe('/admin/subscribers?state=active&limit=2&after=api%3Abo');
    const second = await getPage(running.url, cookie, next!);
    expect([...second.text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1])).toEqual([
      'dee',
    ]);
  });

  it('answers a filter that is not valid with 400 and the reason', async () => {
    const { status, text } = await getPage(running.url, cookie, '/admin/subscribers?state=asleep');
    expect(status).toBe(400);
    expect(words(text)).toContain('state: must be active, unsubscribed or blocked');
  });
});

describe('the unanswered queries page', () => {
  it('lists what users asked without an answer, with counts and links to answer them', async () => {
    const { text } = await getPage(running.url, cookie, '/admin/unanswered');
    expect(words(text)).toMatch(/visa office hours 2 2026-11-23 12:00/);
    expect(text).toContain('href="/admin/unanswered/rule?query=visa+office+hours"');
    expect(text).toContain('href="/admin/unanswered/entry?query=visa+office+hours"');
  });

  it('turns a query into a keyword rule: the bot answers it at once, and the list drops it', async () => {
    const before = await chat(running.url, { user: 'ada', text: 'visa office hours' });
    expect(textOf(before.json)).toContain(DEFAULT_REPLY);
    const form = await getPage(
      running.url,
      cookie,
      '/admin/unanswered/rule?query=visa+office+hours',
    );
    expect(form.text).toMatch(/name="keyword" value="visa office hours"/);

    const res = await postForm(running.url, cookie, '/admin/unanswered/rule', {
      query: 'visa office hours',
      name: 'visa hours',
      keyword: 'visa office',
      match: 'contain',
      text: 'The visa office is open 9:00-12:00 on weekdays.',
      entries: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/unanswered?done=rule');

    const after = await chat(running.url, { user: 'bo', text: 'visa office hours' });
    expect(textOf(after.json)).toContain('The visa office is open 9:00-12:00 on weekdays.');
    const rules = await readFile(join(running.messagesDir, 'rules.yaml'), 'utf8');
    expect(rules).toContain('- { keyword: visa office, match: contain }');
    expect(rules).toContain('# Reply rules of the account'); // its comments kept
    const list = await getPage(running.url, cookie, '/admin/unanswered?done=rule');
    expect(words(list.text)).toContain('The rule was added to rules.yaml');
    expect(list.text).not.toContain('<th scope="row">visa office hours</th>');
  });

  it('gives the rule form back with the reason when the rules loader would refuse the rule', async () => {
    const original = await readFile(join(running.messagesDir, 'rules.yaml'), 'utf8');
    const refused = async (fields: Record<string, string>) => {
      const res = await postForm(running.url, cookie, '/admin/unanswered/rule', {
        query: 'zzqx',
        name: 'zzqx',
        keyword: 'zzqx',
        match: 'equal',
        text: 'An answer.',
        entries: '',
        ...fields,
      });
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain('name="keyword"');
      return words(page);
    };
    expect(await refused({ keyword: 'k'.repeat(31) })).toContain('a keyword is 1 to 30 characters');
    expect(await refused({ text: '' })).toContain('needs at least one reply');
    expect(await refused({ name: 'greeting' })).toContain(
      'there is already a rule named "greeting"',
    );
    expect(await refused({ match: 'regex', keyword: '(' })).toContain('regex "(" is refused');
    expect(await refused({ entries: 'account-launch, no-such-entry' })).toContain(
      'there is no entry "no-such-entry"',
    );
    expect(await readFile(join(running.messagesDir, 'rules.yaml'), 'utf8')).toBe(original);
  });

  it('turns a query into an entry draft, written as the entries API writes one', async () => {
    const form = await getPage(running.url, cookie, '/admin/unanswered/entry?query=zzqx');
    expect(form.text).toMatch(/name="id" value="zzqx"/);
    expect(form.text).toMatch(/name="date" value="2026-11-30"/);
    const fields = {
      query: 'zzqx',
      id: 'zzqx-explained',
      title: 'What zzqx means',
      date: '2026-11-20',
      keywords: 'zzqx',
      topics: 'guides',
      summary: '',
      body: 'It is a **test** word.',
    };
    const res = await postForm(running.url, cookie, '/admin/unanswered/entry', fields);
    expect(res.status).toBe(303);
    const file = await readFile(join(running.messagesDir, 'entries', 'zzqx-explained.md'), 'utf8');
    expect(file).toContain('title: What zzqx means');
    const answer = await chat(running.url, { user: 'bo', text: 'zzqx' });
    expect(textOf(answer.json)).toContain('What zzqx means');

    const again = await postForm(running.url, cookie, '/admin/unanswered/entry', fields);
    expect(again.status).toBe(409);
    expect(words(await again.text())).toContain('entry "zzqx-explained" already exists');
  });

  it('gives the entry form back with the reason for a field the entries API refuses', async () => {
    const res = await postForm(running.url, cookie, '/admin/unanswered/entry', {
      query: 'q',
      id: 'not an id!',
      title: 'T',
      date: '2026-11-20',
      keywords: '',
      topics: '',
      summary: '',
      body: 'B',
    });
    expect(res.status).toBe(400);
    const page = words(await res.text());
    expect(page).toContain('id: must be letters, digits, "-" or "_"');
    expect(page).toContain('Write the entry');
  });
});

describe('every page of these sections', () => {
  const PAGES = [
    '/admin',
    '/admin/schedule',
    '/admin/subscribers',
    '/admin/unanswered',
    '/admin/unanswered/rule?query=x',
    '/admin/unanswered/entry?query=x',
  ];

  it('holds no inline script and no style attribute (the CSP forbids both)', async () => {
    for (const path of PAGES) {
      const { status, text } = await getPage(running.url, cookie, path);
      expect({ path, status }).toEqual({ path, status: 200 });
      expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(text).not.toMatch(/\sstyle=/);
    }
  });

  it('escapes what users typed, in the list, the forms and the charts', async () => {
    const evil = '<img src=x onerror=alert(1)>"\'';
    await chat(running.url, { user: 'eve', text: evil });
    for (const path of [
      '/admin',
      '/admin/unanswered',
      `/admin/unanswered/rule?query=${encodeURIComponent(evil)}`,
    ]) {
      const { text } = await getPage(running.url, cookie, path);
      expect(text, path).not.toContain('<img src=x');
      expect(text, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('refuses a form posted without the page’s CSRF token, and one from another site', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${running.url}/admin/unanswered/rule`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const fields = 'query=zzqx&name=n&keyword=zzqx&match=equal&text=t';
    expect((await post({}, fields)).status).toBe(403);
    const { csrf } = await getPage(running.url, cookie, '/admin');
    const foreign = await post({ origin: 'http://evil.example' }, `${fields}&_csrf=${csrf}`);
    expect(foreign.status).toBe(403);
  });
});
