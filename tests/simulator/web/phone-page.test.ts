import { readFile } from 'node:fs/promises';
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
const WELCOME = 'Welcome';

describe.skipIf(browserMissing)(
  'the phone page (hosted, in a real browser)',
  { timeout: 60_000 },
  () => {
    let browser: TestBrowser;
    let hosted: Hosted;
    beforeAll(async () => {
      [browser, hosted] = await Promise.all([
        openBrowser(),
        startHostedService(NOON, { WECHAT_ENCRYPT_MODE: 'safe' }),
      ]);
      await hosted.call('POST', '/admin/api/menu');
    });
    afterAll(async () => {
      await browser?.close();
      await hosted?.running.cleanup();
    });

    it('lets a new user follow and shows the follow reply', async () => {
      const page = await browser.page();
      await openPhonePage(page, hosted);
      await page.getByLabel('New user').fill('小红');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      const phone = phoneOf(page, '小红');
      await phone.getByRole('button', { name: 'Follow', exact: true }).click();
      await eventually(() => phone.locator('.chat').textContent()).toContain(WELCOME);
      // The button turns once the user is read again, after the reply may already show.
      await eventually(() => phone.getByRole('button', { name: 'Unfollow' }).count()).toBe(1);
    });

    it('shows an article card for a keyword query, and the inspector shows the decrypted request', async () => {
      const openid = await hosted.user('Ann');
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const phone = phoneOf(page, 'Ann');
      await phone.getByLabel('Message from Ann').fill('anniversary');
      await phone.getByLabel('Message from Ann').press('Enter');
      const card = phone.locator('.cards').last();
      await card.waitFor();
      expect(await card.textContent()).toContain('70');
      // Safe mode: what went on the wire is an <Encrypt> envelope; the inspector opens it.
      await phone.getByRole('button', { name: /^You: anniversary/ }).click();
      const inspector = page.getByRole('complementary', { name: 'Inspector' });
      await inspector.getByText('Request, decrypted').waitFor();
      const text = (await inspector.textContent()) ?? '';
      expect(text).toContain('<Content><![CDATA[anniversary]]></Content>');
      expect(text).toContain('encrypted (AES)');
      expect(text).toContain('<Encrypt>');
      expect(text).toContain('msg_signature = sha1(sort(');
      expect(text).toContain('Reply, decrypted');
      expect(page.url()).toMatch(/[?&]item=\d+/);
    });

    it('sends a menu click from the published menu’s pop-up', async () => {
      const openid = await hosted.user('Bo');
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const phone = phoneOf(page, 'Bo');
      const about = phone.getByRole('button', { name: '关于 About' });
      await about.click();
      expect(await about.getAttribute('aria-expanded')).toBe('true');
      await phone.getByRole('button', { name: '关于本号 About us' }).click();
      await phone.getByText('You tapped the menu (ABOUT)').waitFor();
      await eventually(() => phone.locator('.msg.theirs').count()).toBeGreaterThan(1);
    });

    it('breaks an exchange on purpose from the inspector and shows what came of it', async () => {
      const openid = await hosted.user('Eve');
      await hosted.call('POST', `/sim/api/users/${openid}/actions`, {
        type: 'text',
        text: 'hello',
      });
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const phone = phoneOf(page, 'Eve');
      await phone.getByRole('button', { name: /^You: hello/ }).click();
      const inspector = page.getByRole('complementary', { name: 'Inspector' });
      await inspector.getByRole('button', { name: 'Bad signature' }).click();
      await inspector.getByText('refused by the account').waitFor();
      expect(await inspector.textContent()).toContain('Broken on purpose');
      await inspector.getByRole('button', { name: 'Callback timeout' }).click();
      await inspector.getByText(/no try succeeded/).waitFor();
      const text = (await inspector.textContent()) ?? '';
      expect(text).toContain('Try 3 of 3');
      expect(text).toContain('no answer within 5 s');
      await phone.getByText('该公众号暂时无法提供服务').first().waitFor();
    });

    it('opens a user and an exchange from a deep link', async () => {
      const openid = await hosted.user('Cy');
      const { items } = await hosted.call<{ items: { id: number }[] }>(
        'POST',
        `/sim/api/users/${openid}/actions`,
        { type: 'text', text: 'hello' },
      );
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}&item=${items[0]!.id}`);
      await phoneOf(page, 'Cy').waitFor();
      const inspector = page.getByRole('complementary', { name: 'Inspector' });
      await inspector.getByText(`Item ${items[0]!.id} · user`).waitFor();
      expect(await inspector.textContent()).toContain('<Content><![CDATA[hello]]></Content>');
    });

    it('exports the user’s conversation as a script with one click', async () => {
      const openid = await hosted.user('Di');
      await hosted.call('POST', `/sim/api/users/${openid}/actions`, { type: 'text', text: '最新' });
      const page = await browser.page();
      await openPhonePage(page, hosted, `/?user=${openid}`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        phoneOf(page, 'Di').getByRole('link', { name: 'Export script' }).click(),
      ]);
      const script = await readFile((await download.path())!, 'utf8');
      expect(script).toContain('steps:');
      expect(script).toContain('最新');
    });

    it('opens eight tabs, which share one event stream (a browser allows six connections a host)', async () => {
      const pages = await Promise.all(Array.from({ length: 8 }, () => browser.page()));
      for (const page of pages) await openPhonePage(page, hosted);
      const { simulator } = await hosted.call<{ simulator: { streams: number } }>(
        'GET',
        '/sim/api/platform',
      );
      expect(simulator.streams).toBe(1);
      await Promise.all(pages.map((page) => page.close()));
    });
  },
);
