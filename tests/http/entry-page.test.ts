import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startTempService, type TempService } from '../helpers/temp-service.ts';

const NOT_FOUND = 404;
const FUTURE_ID = 'coming-soon';
const FUTURE_DATE = new Date('2026-03-01T01:00:00Z');
const UNSAFE_ID = 'unsafe-markup';

const FUTURE_ENTRY = `---
title: Coming soon
date: 2026-03-01T09:00:00+08:00
---
Not yet.
`;
const UNSAFE_ENTRY = `---
title: "Markup <b>test</b> & \\"quotes\\""
date: 2020-05-05T10:30:00+08:00
author: "<i>Editor</i>"
topics: [events]
cover: https://img.example/cover.jpg?a=1&b=2
---
This is **bold** and _italic_.

<script>alert('body')</script>

<img src=x onerror=alert(1)>

[js link](javascript:alert(1)) [JS link](JAVASCRIPT:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)
[vb](vbscript:msgbox) [entity](&#106;avascript:alert(3)) [file](file:///etc/passwd)

[good link](https://example.org/a?b=1&c=2) and [inside](/entries/account-launch)
`;

let running: TempService;
const clock = { now: new Date('2026-01-01T00:00:00Z') };

beforeAll(async () => {
  const { dir, messagesDir } = await makeTempDir();
  await writeFile(join(messagesDir, 'entries', `${FUTURE_ID}.md`), FUTURE_ENTRY);
  await writeFile(join(messagesDir, 'entries', `${UNSAFE_ID}.md`), UNSAFE_ENTRY);
  running = await startTempService({ dir, now: () => clock.now });
});
afterAll(() => running.cleanup());

const get = async (path: string) => {
  const res = await fetch(`${running.url}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
};

describe('GET /entries/:id', () => {
  it('renders Markdown: bold as <strong>, with the title, date in the account zone, author and topics', async () => {
    const page = await get(`/entries/${UNSAFE_ID}`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('<strong>bold</strong>');
    expect(page.text).toContain('<em>italic</em>');
    expect(page.text).toContain(
      '<title>Markup &lt;b&gt;test&lt;/b&gt; &amp; &quot;quotes&quot;</title>',
    );
    expect(page.text).toContain('2020-05-05 10:30');
    expect(page.text).toContain('&lt;i&gt;Editor&lt;/i&gt;');
    expect(page.text).toContain('<li>events</li>');
    expect(page.text).toContain(
      '<img class="cover" src="https://img.example/cover.jpg?a=1&amp;b=2" alt="">',
    );
    expect(page.text).toContain('<a href="/entries">');
    expect(page.text).toMatch(/<html lang="[a-z-]+"/i);
    expect(page.text).toContain('<meta name="viewport"');
    expect(page.text).toContain('<link rel="stylesheet" href="/assets/entry.css">');
  });

  it('writes raw HTML out as text and makes no link of an unsafe scheme', async () => {
    const { text } = await get(`/entries/${UNSAFE_ID}`);
    expect(text).not.toMatch(/<script/i);
    expect(text).toContain('&lt;script&gt;');
    expect(text).not.toMatch(/<img src=x/i);
    expect(text).not.toMatch(/href="\s*(javascript|vbscript|data|file):/i);
    expect(text).not.toMatch(/<a [^>]*>(js link|JS link|data|vb|entity|file)<\/a>/);
    expect(text).toContain('<a href="https://example.org/a?b=1&amp;c=2">good link</a>');
    expect(text).toContain('<a href="/entries/account-launch">inside</a>');
  });

  it('has no inline style or script, so it works under a self-only content security policy', async () => {
    const { text } = await get(`/entries/${UNSAFE_ID}`);
    expect(text).not.toMatch(/<style|style=|<script/i);
    const css = await get('/assets/entry.css');
    expect(css.status).toBe(200);
    expect(css.type).toContain('text/css');
  });

  it('answers 404 for an unknown id and for an entry not yet published, alike', async () => {
    for (const id of [
      'no-such-entry',
      FUTURE_ID,
      'constructor',
      '__proto__',
      '..%2Fetc',
      'x'.repeat(300),
    ]) {
      const page = await get(`/entries/${id}`);
      expect(page.status, id).toBe(NOT_FOUND);
      expect(JSON.parse(page.text).error, id).toMatch(/^no entry "/);
    }
    const unknown = JSON.parse((await get('/entries/no-such-entry')).text);
    const future = JSON.parse((await get(`/entries/${FUTURE_ID}`)).text);
    expect(future.error.replace(FUTURE_ID, '?')).toBe(unknown.error.replace('no-such-entry', '?'));
  });

  it('shows an entry once the clock passes its date', async () => {
    clock.now = new Date(FUTURE_DATE.getTime() + 1000);
    try {
      expect((await get(`/entries/${FUTURE_ID}`)).status).toBe(200);
      expect((await get('/entries')).text).toContain(`/entries/${FUTURE_ID}`);
    } finally {
      clock.now = new Date('2026-01-01T00:00:00Z');
    }
  });
});

describe('GET /entries', () => {
  it('lists published entries only, newest first, each linking to its page', async () => {
    const { status, text } = await get('/entries');
    expect(status).toBe(200);
    expect(text).not.toContain(FUTURE_ID);
    const ids = [...text.matchAll(/href="\/entries\/([^"]+)"/g)].map((m) => m[1]);
    expect(ids[0]).toBe('archive-search-tips');
    expect(ids).toContain(UNSAFE_ID);
    expect(ids).toContain('account-launch');
    expect(ids.indexOf('account-launch')).toBeGreaterThan(
      ids.indexOf('department-70th-anniversary'),
    );
    expect(text).toContain('Markup &lt;b&gt;test&lt;/b&gt;');
  });
});
