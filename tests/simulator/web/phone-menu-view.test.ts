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

/** Publishes a menu on the simulated platform as any bot would, over `/cgi-bin`. */
async function publishMenu(hosted: Hosted, menu: unknown): Promise<void> {
  const { url, config } = hosted.running;
  const query = new URLSearchParams({
    grant_type: 'client_credential',
    appid: config.WECHAT_APPID!,
    secret: config.WECHAT_APPSECRET!,
  });
  const { access_token } = (await (await fetch(`${url}/cgi-bin/token?${query}`)).json()) as {
    access_token: string;
  };
  const res = await fetch(`${url}/cgi-bin/menu/create?access_token=${access_token}`, {
    method: 'POST',
    body: JSON.stringify(menu),
  });
  expect(await res.json()).toMatchObject({ errcode: 0 });
}

describe.skipIf(browserMissing)(
  'a VIEW button of the menu (hosted, in a real browser)',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted;
    let page: string;
    beforeAll(async () => {
      [browser, hosted] = await Promise.all([openBrowser(), startHostedService(NOON)]);
      page = `${hosted.running.url}/entries/account-launch`;
      await publishMenu(hosted, {
        button: [
          { type: 'view', name: '官网 Website', url: page },
          {
            name: '更多 More',
            sub_button: [
              { type: 'view', name: '脚本 Script', url: 'javascript:alert(1)' },
              { type: 'click', name: '关于本号 About us', key: 'ABOUT' },
            ],
          },
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await hosted?.running.cleanup();
    });

    it('sends the VIEW event and opens the page in a new tab that cannot reach back', async () => {
      const openid = await hosted.user('Vi');
      const tab = await browser.page();
      await openPhonePage(tab, hosted, `/?user=${openid}`);
      const phone = phoneOf(tab, 'Vi');
      const link = phone.getByRole('link', { name: '官网 Website' });
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

      const [opened] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
      await opened.waitForLoadState();
      expect(opened.url()).toBe(page);
      expect(await opened.evaluate(() => window.opener as unknown)).toBeNull();
      expect(await opened.evaluate(() => document.referrer)).toBe('');
      expect(await opened.title()).toContain('Launched');
      await opened.close();

      await phone.getByText(`You opened ${page} from the menu`).waitFor();
      expect(tab.url()).toContain(`user=${openid}`); // the phone page stayed where it was
      const { items } = await hosted.call<{ items: { record?: { xml?: string } }[] }>(
        'GET',
        `/sim/api/users/${openid}/timeline`,
      );
      const sent = items.map((item) => item.record?.xml ?? '').join('\n');
      expect(sent).toContain('<Event><![CDATA[VIEW]]></Event>');
      expect(sent).toContain(`<EventKey><![CDATA[${page}]]></EventKey>`);
    });

    it('opens no page that is not http(s), and says why; the pop-up stays inside the phone', async () => {
      const openid = await hosted.user('Wu');
      const tab = await browser.page();
      await openPhonePage(tab, hosted, `/?user=${openid}`);
      const phone = phoneOf(tab, 'Wu');
      await phone.getByRole('button', { name: '更多 More' }).click();
      // The last button's pop-up, wider than the button, stays inside the phone's menu bar.
      const inside = (await phone.locator('.menu-bar').boundingBox())!;
      const popup = (await phone.locator('.menu-popup:not([hidden])').boundingBox())!;
      expect(popup.x).toBeGreaterThanOrEqual(inside.x);
      expect(popup.x + popup.width).toBeLessThanOrEqual(inside.x + inside.width);
      const script = phone.getByRole('button', { name: '脚本 Script' });
      expect(await script.isDisabled()).toBe(true);
      expect(await script.getAttribute('title')).toBe('a view button opens only an http(s) page');
      expect(await phone.getByRole('link', { name: '脚本 Script' }).count()).toBe(0);
      await phone.getByRole('button', { name: '关于本号 About us' }).click();
      await eventually(() => phone.locator('.chat').textContent()).toContain(
        'You tapped the menu (ABOUT)',
      );
    });
  },
);
