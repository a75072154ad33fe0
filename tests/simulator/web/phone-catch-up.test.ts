import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, type TestBrowser } from '../../helpers/browser.ts';
import {
  eventually,
  openPhonePage,
  phoneOf,
  startHostedService,
  type Hosted,
} from './phone-world.ts';

/** A Monday noon in Beijing. */
const NOON = new Date('2026-11-23T04:00:00Z');

describe.skipIf(browserMissing)(
  'the phone page when its stream opens late (hosted, in a real browser)',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted;
    beforeAll(async () => {
      [browser, hosted] = await Promise.all([openBrowser(), startHostedService(NOON)]);
    });
    afterAll(async () => {
      for (const page of browser?.context.pages() ?? []) await page.close();
      await browser?.close();
      await hosted?.running.cleanup();
    });

    it('draws what came before the stream opened, and moves the clock it missed', async () => {
      const openid = await hosted.user('Lu');
      // The stream is held back: what happens meanwhile comes as no event. (The page's own
      // stream, without the SharedWorker, whose requests the browser's routes do not see.)
      const page = await browser.page();
      await page.addInitScript(() => Reflect.deleteProperty(window, 'SharedWorker'));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/sim/api/events', async (route) => {
        await held;
        await route.continue();
      });
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const phone = phoneOf(page, 'Lu');
      expect(await page.locator('#clock-now').textContent()).toContain('2026-11-23 12:00');

      await hosted.call('POST', `/sim/api/users/${openid}/actions`, {
        type: 'text',
        text: 'anniversary',
      });
      await hosted.call('POST', '/sim/api/clock', { advance: '1h' });
      expect(await phone.locator('.cards').count()).toBe(0);
      release();
      await eventually(() => phone.locator('.cards').count()).toBe(1);
      await eventually(() => page.locator('#clock-now').textContent()).toContain(
        '2026-11-23 13:00',
      );
    });
  },
);
