import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { browserMissing, openBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { chat, startTempService, type TempService } from '../helpers/temp-service.ts';

const TOKEN = 'a-test-admin-token-0123456789';
/** A Monday noon in Beijing, 04:00 UTC. */
const START = new Date('2026-11-23T04:00:00Z');
const SUBSCRIBERS = ['ann', 'bob', 'cai'];
/** Long enough for a page and its stream on a busy machine; the steps themselves are quick. */
const UI_TIMEOUT = 15_000;

let running: TempService;
let browser: TestBrowser;

/** The service as `npm start` runs it: the simulated platform hosted, one virtual clock. */
beforeAll(async () => {
  if (browserMissing) return;
  running = await startTempService({
    clock: createVirtualClock({ start: START }),
    env: { ADMIN_TOKEN: TOKEN, SIMULATOR: 'on', ACCOUNT_TYPE: 'service' },
  });
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await running?.cleanup();
});

const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ');

const api = (path: string, body?: unknown) =>
  fetch(`${running.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe.skipIf(browserMissing)('the console in a browser', () => {
  it('creates an entry with a live Markdown preview, and lists it as a card', async () => {
    const page = await browser.page();
    await signIn(page, running.url, TOKEN, '/admin/entries/new');
    await page.getByLabel('Id', { exact: true }).fill('browser-briefing');
    await page.getByLabel('Title').fill('A briefing from the browser');
    await page.getByLabel('Date', { exact: true }).fill('2026-11-20');
    await page.getByLabel('Summary').fill('Typed in the console');
    await page.getByLabel('events').check();
    await page.getByLabel('Body (Markdown)').fill('Some **bold** words and <i>raw html</i>.');
    const preview = page.locator('#entry-preview');
    await expect
      .poll(() => preview.innerHTML(), { timeout: UI_TIMEOUT })
      .toContain('<strong>bold</strong>');
    expect(await preview.innerHTML()).toContain('&lt;i&gt;raw html&lt;/i&gt;');
    await page.getByRole('button', { name: 'Create entry' }).click();
    await page.waitForURL(/\/admin\/entries\?saved=browser-briefing/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('saved');
    const card = page.locator('[data-entry="browser-briefing"]');
    expect(await card.locator('.card-title').textContent()).toBe('A briefing from the browser');
    expect(await card.textContent()).toContain('not broadcast');
  });

  it('shows a broadcast started in the console moving live to 100 %', async () => {
    for (const user of SUBSCRIBERS) await chat(running.url, { user, event: 'subscribe' });
    // One subscriber in their quiet hours (04:00-06:00 UTC) holds the broadcast below 100 %
    // until the clock moves past them: the page cannot have loaded it finished.
    for (const text of ['subscribe', 'timezone UTC', 'quiet 4-6'])
      await chat(running.url, { user: 'dan', text });
    const page = await browser.page();
    await signIn(page, running.url, TOKEN, '/admin/broadcasts');
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.waitForURL(/\/admin\/broadcasts\/\d+$/);
    const percent = page.locator('.progress .percent');
    await expect
      .poll(async () => squash(await page.locator('.progress .counts').textContent()), {
        timeout: UI_TIMEOUT,
      })
      .toContain('3 of 4 settled: 3 sent, 1 held for quiet hours');
    expect(await percent.textContent()).toBe('75 %');
    // The stream is open before the clock moves: the event that ends the broadcast is seen live.
    await page.locator('[sse-connect][data-live="open"]').waitFor({ timeout: UI_TIMEOUT });

    const moved = await api('/sim/api/clock', { advance: '3h' });
    expect(moved.status).toBe(200);
    await expect.poll(() => percent.textContent(), { timeout: UI_TIMEOUT }).toBe('100 %');
    expect(await page.locator('.progress progress').getAttribute('value')).toBe('4');
    expect(await page.locator('.progress .badge').textContent()).toBe('done');
  });

  it('previews the menu as a phone shows it, and publishes it to the platform', async () => {
    const page = await browser.page();
    await signIn(page, running.url, TOKEN, '/admin/rules');
    await page.getByText('栏目 Topics').click();
    await page.getByRole('button', { name: '活动 Events' }).click();
    await expect
      .poll(() => page.locator('#phone-chat .cards').count(), { timeout: UI_TIMEOUT })
      .toBe(1);
    await page.getByRole('button', { name: 'Publish the menu' }).click();
    await page.waitForURL(/\/admin\/rules\?published=3/);
    expect(await page.getByRole('status').textContent()).toContain('Menu published: 3 buttons.');
    const platform = (await (await api('/sim/api/platform')).json()) as unknown;
    expect(JSON.stringify(platform)).toContain('TOPIC_EVENTS');
  });
});
