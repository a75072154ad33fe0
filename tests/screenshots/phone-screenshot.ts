/**
 * Makes `docs/phone.png`: the phone page of the hosted simulator in safe mode, two phones
 * after a follow, a Chinese keyword query and the morning broadcast's article cards, with
 * the inspector open on the query's exchange. `npx tsx tests/screenshots/phone-screenshot.ts`
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { startTempService } from '../helpers/temp-service.ts';

const TOKEN = 'screenshot-admin-token-0123456789';
const OUT = join(import.meta.dirname, '../../docs/phone.png');

const clock = createVirtualClock({ start: new Date('2026-11-23T13:00:00Z') });
const running = await startTempService({
  clock,
  env: {
    SIMULATOR: 'on',
    ACCOUNT_TYPE: 'service',
    ADMIN_TOKEN: TOKEN,
    WECHAT_ENCRYPT_MODE: 'safe',
  },
});
const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${running.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  await call('POST', '/admin/api/menu');
  const openids: string[] = [];
  for (const nickname of ['小明', '李华']) {
    const { user } = await call<{ user: { openid: string } }>('POST', '/sim/api/users', {
      nickname,
    });
    await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'follow' });
    openids.push(user.openid);
  }
  const act = (i: number, text: string) =>
    call<{ items: { id: number }[] }>('POST', `/sim/api/users/${openids[i]}/actions`, {
      type: 'text',
      text,
    });
  await act(1, '你好');
  // The 09:00 broadcast: the newest entries as article cards, by mass send.
  await call('POST', '/sim/api/clock', { advance: '12h' });
  await running.service.broadcasting.dispatcher.drain();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await call('POST', '/sim/api/clock', { advance: '10m' });
  const { items } = await act(0, '七十周年 anniversary');
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${running.url}/login?next=/`);
  await page.getByLabel('Token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await page.goto(`${running.url}/?user=${openids[0]}&user=${openids[1]}&item=${items[0]!.id}`);
  await page.waitForSelector('body[data-ready]');
  await page.locator('#inspector-title').blur();
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await running.cleanup();
}
