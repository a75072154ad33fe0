import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

let running: TempService;
const TOKEN = 'a-test-admin-token-0123456789';

beforeAll(async () => {
  running = await startTempService({ env: { ADMIN_TOKEN: TOKEN } });
});
afterAll(() => running.cleanup());

async function signedIn(): Promise<string> {
  const res = await fetch(`${running.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN }),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('the console', () => {
  it('sends a browser that is not signed in to the login form, and back afterwards', async () => {
    const res = await fetch(`${running.url}/admin/entries`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fadmin%2Fentries');
  });

  it('leaves /admin/api to the API: JSON refusals and 404s, never the login form', async () => {
    const res = await fetch(`${running.url}/admin/api/nothing-here`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    const cookie = await signedIn();
    const missing = await fetch(`${running.url}/admin/api/nothing-here`, { headers: { cookie } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route for GET /admin/api/nothing-here' });
  });

  it('serves every section to a signed-in browser, with the CSRF token and no inline script', async () => {
    const cookie = await signedIn();
    for (const path of ['/admin', '/admin/entries', '/admin/rules', '/admin/broadcasts']) {
      const res = await fetch(`${running.url}${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toMatch(/<meta name="csrf-token" content="[\w-]+" ?\/?>/);
      expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('serves its libraries from the project, not a CDN', async () => {
    for (const path of [
      '/assets/vendor/htmx.min.js',
      '/assets/vendor/htmx-sse.min.js',
      '/assets/vendor/chart.umd.min.js',
      '/assets/console/console.js',
      '/assets/console/console.css',
      '/assets/web/base.css',
    ]) {
      const res = await fetch(`${running.url}${path}`);
      expect(res.status, path).toBe(200);
    }
  });

  it('redirects / to the console when the simulator is off', async () => {
    const res = await fetch(`${running.url}/`, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('/admin');
  });
});
