import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../../src/simulator/store/timeline-store.ts';
import { act, SIM_TOKEN, startWorld, type SimWorld } from '../sim-fixture.ts';

let w: SimWorld;
beforeAll(async () => {
  w = await startWorld({ mode: 'safe' });
});
afterAll(() => w.close());

const newUser = async (nickname: string) =>
  (await w.api<{ user: { openid: string } }>('POST', '/users', { nickname })).json.user.openid;

describe('the control API for the phone page', () => {
  it('answers one timeline item with its exchange, on the user’s item as on the reply', async () => {
    const openid = await newUser('Ann');
    await act(w, openid, { type: 'follow' });
    const { json } = await act(w, openid, { type: 'text', text: 'anniversary' });
    const [mine, reply] = json.items;
    for (const item of [mine!, reply!]) {
      const { status, json: one } = await w.api<{ item: TimelineItem }>(
        'GET',
        `/users/${openid}/timeline/${item.id}`,
      );
      expect(status).toBe(200);
      expect(one.item.id).toBe(item.id);
      const record = one.item.record as { xml: string; encrypted: boolean; tries: unknown[] };
      expect(record.encrypted).toBe(true);
      expect(record.xml).toContain('<Content><![CDATA[anniversary]]></Content>');
      expect(record.tries).toHaveLength(1);
    }
    expect(mine!.source).toBe('user');
  });

  it('keeps the exchange on the user’s item when the account shows nothing', async () => {
    const openid = await newUser('Bo');
    await act(w, openid, { type: 'follow' });
    const { json } = await act(w, openid, { type: 'location', x: 31.2, y: 121.5 });
    const { json: one } = await w.api<{ item: TimelineItem }>(
      'GET',
      `/users/${openid}/timeline/${json.items[0]!.id}`,
    );
    expect((one.item.record as { verdict: { outcome: string } }).verdict.outcome).toBeDefined();
  });

  it('refuses an item of another timeline, or no number, with a 404 in words', async () => {
    const a = await newUser('Cy');
    const b = await newUser('Di');
    const { json } = await act(w, a, { type: 'follow' });
    const other = await w.api<{ error: string }>(
      'GET',
      `/users/${b}/timeline/${json.items[0]!.id}`,
    );
    expect(other.status).toBe(404);
    expect(other.json.error).toMatch(/no item \d+ on this timeline/);
    expect((await w.api('GET', `/users/${a}/timeline/abc`)).status).toBe(404);
  });

  it('tells the account’s name, original id and mode in the platform state', async () => {
    const { json } = await w.api<{ account: Record<string, string> }>('GET', '/platform');
    expect(json.account).toMatchObject({
      name: 'Official Account',
      encryptMode: 'safe',
      originalId: expect.stringMatching(/^gh_[0-9a-f]{12}$/),
    });
  });
});

describe('the phone page served by the simulator alone', () => {
  it('sends a visitor to its own sign-in, then serves the page with a CSRF token and a strict CSP', async () => {
    const first = await fetch(`${w.simUrl}/`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/login?next=%2F');
    const login = await fetch(`${w.simUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: SIM_TOKEN, next: '/' }),
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toMatch(/^oasim_sim_session=/);
    const page = await fetch(`${w.simUrl}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toMatch(/<meta name="csrf-token" content="[\w-]+"/);
    expect(text).toContain('src="/assets/phone/phone.js"');
    expect(text).not.toMatch(/<script(?![^>]*src=)/); // no inline script
    expect(text).not.toMatch(/\sstyle=/); // no inline style attribute
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
  });

  it('serves the page’s script, bundled from TypeScript, and its styles', async () => {
    const js = await fetch(`${w.simUrl}/assets/phone/phone.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const code = await js.text();
    expect(code).toContain('/sim/api');
    expect(code).not.toContain('innerHTML');
    const css = await fetch(`${w.simUrl}/assets/phone/phone.css`);
    expect(await css.text()).toContain('.phone');
  });
});
