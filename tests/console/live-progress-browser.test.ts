import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { chat } from '../helpers/temp-service.ts';
import {
  eventually,
  startHostedService,
  TOKEN,
  type Hosted,
} from '../simulator/web/phone-world.ts';

/** A Monday noon in Beijing, 04:00 UTC. */
const START = new Date('2026-11-23T04:00:00Z');

describe.skipIf(browserMissing)(
  'a broadcast’s bar when its stream opens late (in a real browser)',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted;
    beforeAll(async () => {
      [browser, hosted] = await Promise.all([openBrowser(), startHostedService(START)]);
    });
    afterAll(async () => {
      for (const page of browser?.context.pages() ?? []) await page.close();
      await browser?.close();
      await hosted?.running.cleanup();
    });

    it('reads the bar again when the stream opens, so the events sent before leave none behind', async () => {
      const { url } = hosted.running;
      for (const user of ['ann', 'bob']) await chat(url, { user, event: 'subscribe' });
      // One subscriber in their quiet hours (04:00-06:00 UTC) holds the broadcast until the
      // clock moves past them: the page is drawn while it is still sending.
      for (const text of ['subscribe', 'timezone UTC', 'quiet 4-6'])
        await chat(url, { user: 'dan', text });
      const { broadcast } = await hosted.call<{ broadcast: { id: number } }>(
        'POST',
        '/admin/api/broadcasts',
      );
      const counts = async () =>
        (
          await hosted.call<{
            broadcast: { counts: { pending: number; sent: number; held: number } };
          }>('GET', `/admin/api/broadcasts/${broadcast.id}`)
        ).broadcast.counts;
      await eventually(async () => {
        const { sent, held } = await counts();
        return `${sent} sent, ${held} held`;
      }).toBe('2 sent, 1 held');

      const page = await browser.page();
      await signIn(page, url, TOKEN, '/admin');
      // The stream is held back until the broadcast has ended: its last event is missed.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/admin/events', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${url}/admin/broadcasts/${broadcast.id}`);
      const percent = page.locator('.progress .percent');
      expect(await percent.textContent()).toBe('66 %');

      await hosted.call('POST', '/sim/api/clock', { advance: '3h' });
      await eventually(async () => (await counts()).pending).toBe(0);
      expect(await percent.textContent()).toBe('66 %');
      release();
      await page.locator('[sse-connect][data-live="open"]').waitFor();
      await eventually(() => percent.textContent()).toBe('100 %');
      expect(await page.locator('.progress .badge').textContent()).toBe('done');
    });
  },
);
