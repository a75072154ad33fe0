import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserMissing, openBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import {
  eventually,
  phoneOf,
  startHostedService,
  TOKEN,
  type Hosted,
} from '../simulator/web/phone-world.ts';

/** 21:00 in Beijing: no schedule ticks before 09:00 tomorrow, so only the console sends. */
const EVENING = new Date('2026-11-23T13:00:00Z');
const YOUTH_TITLE = 'Young politicians meet in study programmes';

/** Marks a page's window; the mark is gone if the page loads again. */
const mark = (page: Page) => page.evaluate(() => Object.assign(window, { oasimMark: 'kept' }));
const marked = (page: Page) =>
  page.evaluate(() => (window as unknown as { oasimMark?: string }).oasimMark);

/**
 * Opens a page of the signed-in browser. One sign-in serves every tab, as for a person:
 * signing in again starts a new session, whose CSRF token the tabs already open lack.
 */
async function open(page: Page, hosted: Hosted, path: string) {
  await page.goto(`${hosted.running.url}${path}`);
  if (path.startsWith('/?') || path === '/') await page.waitForSelector('body[data-ready]');
}

/** What a user types and sends from their phone. */
async function send(page: Page, nickname: string, text: string) {
  const box = phoneOf(page, nickname).getByLabel(`Message from ${nickname}`);
  await box.fill(text);
  await box.press('Enter');
}

describe.skipIf(browserMissing)(
  'the phone page and the console together (hosted, in a real browser)',
  { timeout: 90_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted;
    beforeAll(async () => {
      [browser, hosted] = await Promise.all([openBrowser(), startHostedService(EVENING)]);
      const page = await browser.context.newPage();
      await signIn(page, hosted.running.url, TOKEN, '/admin');
      await page.close();
    });
    afterAll(async () => {
      // Open pages hold event streams, which would hold the service's shutdown.
      for (const page of browser?.context.pages() ?? []) await page.close();
      await browser?.close();
      await hosted?.running.cleanup();
    });

    it('shows a broadcast started in the console arriving live in two open phones, and the console’s bar at 100 %', async () => {
      const amy = await hosted.user('Amy');
      const ben = await hosted.user('Ben');
      const phones: [Page, string][] = [];
      for (const [openid, nickname] of [
        [amy, 'Amy'],
        [ben, 'Ben'],
      ] as const) {
        const page = await browser.page();
        await open(page, hosted, `/?user=${openid}`);
        await phoneOf(page, nickname).locator('.chat').getByText('Welcome').first().waitFor();
        expect(await phoneOf(page, nickname).locator('.source-mass').count()).toBe(0);
        await mark(page);
        phones.push([page, nickname]);
      }

      const console = await browser.page();
      await open(console, hosted, '/admin/broadcasts');
      await console.getByLabel(YOUTH_TITLE).check();
      await console.getByRole('button', { name: 'Send now' }).click();
      await console.waitForURL(/\/admin\/broadcasts\/\d+$/);
      const id = /(\d+)$/.exec(console.url())![1];
      // The platform hands a mass send out at its own pace, on the shared clock.
      await eventually(async () => {
        const got = await hosted.call<{ broadcast: { counts: { pending: number } } }>(
          'GET',
          `/admin/api/broadcasts/${id}`,
        );
        return got.broadcast.counts.pending;
      }).toBe(0);
      await hosted.call('POST', '/sim/api/clock', { advance: '10m' });

      for (const [page, nickname] of phones) {
        const mass = phoneOf(page, nickname).locator('.source-mass .cards');
        await eventually(() => mass.count()).toBe(1);
        // The one entry ticked in the console, not all that are due.
        const titles = await mass.locator('.card-title').allTextContents();
        expect(titles).toHaveLength(1);
        expect(titles[0]).toContain(YOUTH_TITLE);
        expect(await marked(page), `${nickname}'s page was not loaded again`).toBe('kept');
      }
      await eventually(() => console.locator('.progress .percent').textContent()).toBe('100 %');
      expect(await console.locator('.progress .badge').textContent()).toBe('done');
      expect(await console.locator('.progress .counts').textContent()).toMatch(
        /2 of 2 settled: 2\s+sent/,
      );
    });

    it('finds from a phone an entry just created in the console', async () => {
      const cy = await hosted.user('Cy');
      const phone = await browser.page();
      await open(phone, hosted, `/?user=${cy}`);
      const chat = phoneOf(phone, 'Cy').locator('.chat');
      // Before the entry exists, the word finds nothing.
      await send(phone, 'Cy', 'lanterns');
      await eventually(() => chat.textContent()).toContain('I found nothing on that');
      expect(await chat.locator('.cards').count()).toBe(0);

      const console = await browser.page();
      await open(console, hosted, '/admin/entries/new');
      await console.getByLabel('Id', { exact: true }).fill('lantern-festival');
      await console.getByLabel('Title').fill('Lanterns over the river | 河上花灯');
      await console.getByLabel('Date', { exact: true }).fill('2026-11-20');
      await console.getByLabel('Summary').fill('A lantern festival seen from the console');
      await console.getByLabel('Keywords').fill('lanterns, 花灯');
      await console.getByLabel('events').check();
      await console.getByLabel('Body (Markdown)').fill('Paper **lanterns** float downstream.');
      await console.getByRole('button', { name: 'Create entry' }).click();
      await console.waitForURL(/\/admin\/entries\?saved=lantern-festival/);

      await send(phone, 'Cy', 'lanterns');
      const card = chat.locator('.cards');
      await eventually(() => card.count()).toBe(1);
      expect(await card.locator('.card-title').first().textContent()).toBe(
        'Lanterns over the river | 河上花灯',
      );
    });
  },
);
