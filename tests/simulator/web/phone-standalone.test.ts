import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, signIn, type TestBrowser } from '../../helpers/browser.ts';
import { SIM_TOKEN, startWorld, type SimWorld } from '../sim-fixture.ts';
import { eventually } from './phone-world.ts';

describe.skipIf(browserMissing)(
  'the phone page of the simulator alone (npm run simulator)',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let w: SimWorld;
    beforeAll(async () => {
      [browser, w] = await Promise.all([openBrowser(), startWorld()]);
    });
    afterAll(async () => {
      await browser?.close();
      await w?.close();
    });

    it('signs in with its own token, hides the schedule it cannot know, and chats', async () => {
      const page = await browser.page();
      await signIn(page, w.simUrl, SIM_TOKEN, '/');
      await page.waitForSelector('body[data-ready]');
      await eventually(() => page.locator('#clock-now').textContent()).toMatch(/^2026-11-23/);
      expect(await page.locator('#clock-ticks').isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'To the next tick' }).isHidden()).toBe(true);
      await page.getByLabel('New user').fill('Solo');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      const phone = page.getByRole('region', { name: 'Phone of Solo' });
      expect(await phone.getByRole('heading').textContent()).toBe('Official Account');
      await phone.getByRole('button', { name: 'Follow', exact: true }).click();
      await eventually(() => phone.locator('.chat').textContent()).toContain('Welcome');
      await page.getByRole('button', { name: '+1 hour' }).click();
      await eventually(() => page.locator('#clock-now').textContent()).toContain('13:00');
    });
  },
);
