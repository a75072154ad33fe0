import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, type TestBrowser } from '../../helpers/browser.ts';
import {
  eventually,
  openPhonePage,
  phoneOf,
  startHostedService,
  type Hosted,
} from './phone-world.ts';

const NOON = new Date('2026-11-23T04:00:00Z');

describe.skipIf(browserMissing)(
  'the phone page with a keyboard alone, and on a phone',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted;
    beforeAll(async () => {
      [browser, hosted] = await Promise.all([openBrowser(), startHostedService(NOON)]);
    });
    afterAll(async () => {
      await browser?.close();
      await hosted?.running.cleanup();
    });

    it('makes a user, follows, asks and inspects the answer without a mouse', async () => {
      const page = await browser.page();
      await openPhonePage(page, hosted);
      const key = (name: string) => page.keyboard.press(name);
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el?.getAttribute('aria-label') || el?.id || el?.textContent || '';
        });
      // The first stops: the clock's buttons, then the new user's field.
      for (let i = 0; i < 10 && (await focused()) !== 'new-user-name'; i++) await key('Tab');
      expect(await focused()).toBe('new-user-name');
      await page.keyboard.type('Kay');
      await key('Enter');
      const phone = phoneOf(page, 'Kay');
      await phone.waitFor();
      await eventually(focused).toBe('say-' + (await phone.getAttribute('data-openid')));
      await key('Tab'); // Send
      await key('Tab'); // Follow
      expect(await focused()).toBe('Follow');
      await key('Enter');
      await eventually(() => phone.locator('.chat').textContent()).toContain('Welcome');
      await phone.getByLabel('Message from Kay').focus();
      await page.keyboard.type('anniversary');
      await key('Enter');
      await phone.locator('.cards').waitFor();
      await key('Shift+Tab'); // back from the text box: the newest bubble, the account's
      expect(await focused()).toMatch(/^Account: /);
      await key('Enter');
      const inspector = page.getByRole('complementary', { name: 'Inspector' });
      await inspector.getByText(/^Item \d+ · (reply|custom)/).waitFor();
      expect(await focused()).toBe('inspector-title');
      await key('Escape');
      await eventually(() => inspector.isHidden()).toBe(true);
    });

    it('fits a phone-sized screen: one column, nothing wider than the screen', async () => {
      const openid = await hosted.user('Lu');
      const page = await browser.page();
      await page.setViewportSize({ width: 390, height: 844 });
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const phone = phoneOf(page, 'Lu');
      await phone.waitFor();
      const box = (await phone.boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(390);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    });
  },
);
