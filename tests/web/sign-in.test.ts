import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

let running: TempService;
const TOKEN = 'a-test-admin-token-0123456789';

beforeAll(async () => {
  running = await startTempService({ env: { ADMIN_TOKEN: TOKEN } });
});
afterAll(() => running.cleanup());

/** Signs in over HTTP and answers the session cookie's `name=value`. */
async function sessionCookie(token = TOKEN, next = '/admin'): Promise<Response> {
  return fetch(`${running.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next }),
  });
}
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and goes where it was asked', async () => {
    const res = await sessionCookie();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^oasim_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(TOKEN);
  });

  it('refuses a wrong or missing token with the form and the reason, and sets nothing', async () => {
    for (const token of ['wrong-token-wrong-token', '']) {
      const res = await sessionCookie(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toMatch(token ? /not the token/ : /Enter the token/);
    }
  });

  it('never redirects off the site after signing in', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await sessionCookie(TOKEN, next);
      expect(res.headers.get('location')).toBe('/');
    }
  });

  it('opens the admin API to the cookie for reading, and for changes only with the CSRF token', async () => {
    const cookie = cookieOf(await sessionCookie());
    const read = await fetch(`${running.url}/admin/api/schedule`, { headers: { cookie } });
    expect(read.status).toBe(200);
    const change = () =>
      fetch(`${running.url}/admin/api/broadcasts`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ dryRun: true }),
      });
    const refused = await change();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/CSRF token/);
  });

  it('answers a browser’s refused form with a page saying why, and a script with JSON', async () => {
    const cookie = cookieOf(await sessionCookie());
    const post = (accept: string) =>
      fetch(`${running.url}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, accept, 'content-type': 'application/x-www-form-urlencoded' },
        body: '_csrf=stale',
      });
    const page = await post('text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const text = await page.text();
    expect(text).toMatch(/CSRF token is missing or stale/);
    expect(text).toContain('href="/login"');
    const json = await post('application/json');
    expect(json.status).toBe(403);
    expect(((await json.json()) as { error: string }).error).toMatch(/CSRF token/);
  });

  it('refuses a forged or expired cookie as signed out', async () => {
    const forged = await fetch(`${running.url}/admin/api/schedule`, {
      headers: { cookie: `oasim_session=${Date.now() + 60_000}.forged` },
    });
    expect(forged.status).toBe(401);
  });

  it('signs out', async () => {
    const cookie = cookieOf(await sessionCookie());
    const out = await fetch(`${running.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(out.status).toBe(403); // without the page's CSRF token, not even signing out
  });
});

describe.skipIf(browserMissing)('signing in from a browser', () => {
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(() => browser?.close());

  it('refuses a wrong token, then lets the right one in', async () => {
    const page = await browser.page();
    await page.goto(`${running.url}/login`);
    await page.getByLabel('Token').fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not the token/);
    await signIn(page, running.url, TOKEN, '/admin/api/schedule');
    expect(await page.textContent('body')).toContain('"schedules"');
  });
});
