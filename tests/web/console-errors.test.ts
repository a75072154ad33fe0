import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { errorPage } from '../../src/console/error-page.ts';
import type { Access } from '../../src/web/access.ts';
import { signedIn, words } from '../console/console-fixture.ts';
import { browserMissing, openBrowser, signIn } from '../helpers/browser.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

const TOKEN = 'a-console-errors-test-token-0123';
/** What chromium asks for when it opens a page. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let running: TempService;
let cookie: string;
beforeAll(async () => {
  running = await startTempService({ env: { ADMIN_TOKEN: TOKEN } });
  cookie = await signedIn(running.url, TOKEN);
});
afterAll(() => running.cleanup());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${running.url}${path}`, { headers: { cookie, ...headers }, redirect: 'manual' });

describe('the console’s errors, as a browser sees them', () => {
  it('answers an unknown /admin page with a 404 page in the console’s frame, naming it', async () => {
    const res = await get('/admin/nothing-here', { accept: BROWSER_ACCEPT });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await res.text();
    expect(page).toContain('<nav aria-label="Sections">');
    expect(page).toMatch(/<meta name="csrf-token" content="[\w-]+" ?\/?>/);
    const text = words(page);
    expect(text).toContain('Not found');
    expect(text).toContain('There is no page /admin/nothing-here.');
    expect(text).toContain('Back to Dashboard');
    expect(page).not.toContain('{"error"');
  });

  it('answers a section’s own 404 as a page of that section, in its words', async () => {
    const entry = await get('/admin/entries/nothing-here', { accept: BROWSER_ACCEPT });
    expect(entry.status).toBe(404);
    const page = await entry.text();
    expect(words(page)).toContain('There is no entry "nothing-here".');
    expect(page).toMatch(/<a href="\/admin\/entries"\s+aria-current="page"/);
    expect(words(page)).toContain('Back to Entries');
    const broadcast = await get('/admin/broadcasts/999', { accept: BROWSER_ACCEPT });
    expect(broadcast.status).toBe(404);
    expect(words(await broadcast.text())).toContain('There is no broadcast 999.');
  });

  it('escapes the path it names', async () => {
    const res = await get('/admin/%3Cscript%3Ealert(1)%3C%2Fscript%3E', {
      accept: BROWSER_ACCEPT,
    });
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)');
  });

  it('answers an unknown page outside the console with a plain page, and API paths with JSON', async () => {
    const res = await get('/no-such-page', { accept: BROWSER_ACCEPT });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = words(await res.text());
    expect(text).toContain('no route for GET /no-such-page');
    expect(text).toContain('the console');
    for (const path of ['/api/nothing', '/sim/api/nothing', '/cgi-bin/nothing']) {
      const api = await get(path, { accept: BROWSER_ACCEPT });
      expect(api.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
    const script = await get('/no-such-page');
    expect(script.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('keeps JSON for the API, for scripts and for htmx', async () => {
    const api = await get('/admin/api/nothing-here', { accept: BROWSER_ACCEPT });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'no route for GET /admin/api/nothing-here' });
    for (const headers of <Record<string, string>[]>[
      { accept: 'application/json' },
      {},
      { accept: BROWSER_ACCEPT, 'hx-request': 'true' },
    ]) {
      const res = await get('/admin/nothing-here', headers);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'there is no page /admin/nothing-here' });
    }
  });

  it('still sends a browser that is not signed in to the login form first', async () => {
    const res = await fetch(`${running.url}/admin/nothing-here`, {
      headers: { accept: BROWSER_ACCEPT },
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fadmin%2Fnothing-here');
  });

  it('says only that it failed when the fault is ours, never why', () => {
    const access = { session: () => ({ csrf: 'a-csrf-token' }) } as unknown as Access;
    const req = { baseUrl: '/admin', path: '/broadcasts/7', method: 'GET' } as Request;
    const text = words(errorPage(access, req, 500, 'internal error'));
    expect(text).toContain('Something went wrong');
    expect(text).toContain('The console could not show this page; the log says why.');
    expect(text).not.toContain('internal error');
    expect(text).toContain('Back to Broadcasts');
  });

  it.skipIf(browserMissing)('shows the 404 page in a real browser', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.page();
      await signIn(page, running.url, TOKEN, '/admin');
      const res = await page.goto(`${running.url}/admin/entries/gone/edit`);
      expect(res?.status()).toBe(404);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
      expect(await page.getByRole('alert').textContent()).toContain(
        'There is no page /admin/entries/gone/edit.',
      );
      await page.getByRole('link', { name: 'Back to Entries' }).click();
      await page.waitForURL(/\/admin\/entries$/);
    } finally {
      await browser.close();
    }
  });
});
