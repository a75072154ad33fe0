import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, type TestBrowser } from '../../helpers/browser.ts';
import {
  eventually,
  openPhonePage,
  phoneOf,
  startHostedService,
  type Hosted,
} from './phone-world.ts';

/** 21:00 in Beijing: the next tick of the sample schedules is the 09:00 broadcast. */
const EVENING = new Date('2026-11-23T13:00:00Z');
const NINE_NEXT_DAY = '2026-11-24 09:00';

describe.skipIf(browserMissing)(
  'the phone page live (hosted, in a real browser)',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted | undefined;
    beforeAll(async () => {
      browser = await openBrowser();
    });
    afterAll(() => browser?.close());
    afterEach(async () => {
      await hosted?.running.cleanup();
      hosted = undefined;
    });

    it('shows a broadcast arriving live in two phones, with an unread badge on a third user', async () => {
      hosted = await startHostedService(EVENING);
      const a = await hosted.user('Amy');
      const b = await hosted.user('Ben');
      const c = await hosted.user('Cal');
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${a}&user=${b}`);
      const { broadcast } = await hosted.call<{ broadcast: { id: number } }>(
        'POST',
        '/admin/api/broadcasts',
      );
      await hosted.running.service.broadcasting.dispatcher.drain();
      await eventually(async () => {
        const got = await hosted!.call<{ broadcast: { counts: { pending: number } } }>(
          'GET',
          `/admin/api/broadcasts/${broadcast.id}`,
        );
        return got.broadcast.counts.pending;
      }).toBe(0);
      // The platform delivers a mass send at its speed on the shared clock.
      await hosted.call('POST', '/sim/api/clock', { advance: '10m' });
      for (const name of ['Amy', 'Ben'])
        await phoneOf(page, name).locator('.source-mass .cards').first().waitFor();
      const cal = page.locator(`.user[data-openid="${c}"] .badge`);
      await cal.waitFor();
      expect(Number(await cal.textContent())).toBeGreaterThan(0);
      await page.close(); // its event stream would hold the service's shutdown for 5 s
    });

    it('advances the clock to the next tick and the scheduled broadcast arrives', async () => {
      hosted = await startHostedService(EVENING);
      const openid = await hosted.user('Dee');
      // A message opens the 48-hour window: a lone follower gets a customer-service message.
      await hosted.call('POST', `/sim/api/users/${openid}/actions`, { type: 'text', text: 'hi' });
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const ticks = page.locator('#clock-tick-list');
      await eventually(() => ticks.textContent()).toContain(NINE_NEXT_DAY);
      const phone = phoneOf(page, 'Dee');
      expect(await phone.locator('.source-custom, .source-mass').count()).toBe(0);
      await page.getByRole('button', { name: 'To the next tick' }).click();
      await eventually(() => page.locator('#clock-now').textContent()).toContain(NINE_NEXT_DAY);
      await phone.locator('.source-custom, .source-mass').first().waitFor();
      await page.close();
    });

    it('shows a menu the account publishes while the phone is open', async () => {
      hosted = await startHostedService(EVENING);
      const openid = await hosted.user('Fay');
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const phone = phoneOf(page, 'Fay');
      expect(await phone.getByRole('navigation', { name: 'Menu' }).count()).toBe(0);
      await hosted.call('POST', '/admin/api/menu');
      await phone.getByRole('button', { name: '最新 Latest' }).waitFor();
      await page.close();
    });
  },
);
