import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { browserMissing, openBrowser, signIn } from '../helpers/browser.ts';
import { chat, startTempService, type TempService } from '../helpers/temp-service.ts';
import { TOKEN } from './console-fixture.ts';

/**
 * Makes `docs/console.png`, the dashboard of an account that ran for ten days, when asked:
 * `UPDATE_SCREENSHOTS=1 npx vitest run tests/console/console-screenshot.test.ts`.
 */
const DOCS = join(import.meta.dirname, '../../docs');
const DAY = 86_400_000;
/** Noon in Beijing, ten days before the screenshot's "today". */
const FIRST_DAY = Date.parse('2026-11-13T04:00:00Z');
const DAYS = 10;
/** Messages the sample rules answer (greeting, anniversary, contact, window bridge book), and a command. */
const TALK = ['hello', 'anniversary', 'hello', 'contact', '窗口', 'latest', '你好'];
const QUESTIONS = ['visa office hours', '签证', 'internship', 'visa office hours', '实习', 'zzqx'];

let running: TempService | undefined;
afterAll(() => running?.cleanup());

describe.skipIf(browserMissing || process.env.UPDATE_SCREENSHOTS !== '1')('screenshots', () => {
  it('shows the dashboard of an account that ran for ten days', { timeout: 120_000 }, async () => {
    let now = FIRST_DAY;
    running = await startTempService({ env: { ADMIN_TOKEN: TOKEN }, now: () => new Date(now) });
    const { url, service } = running;
    const admin = (path: string, body?: unknown) =>
      fetch(`${url}/admin/api${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((res) => res.json() as Promise<{ broadcast: { id: number; status: string } }>);

    for (let day = 0; day < DAYS; day++) {
      now = FIRST_DAY + day * DAY;
      for (let i = 0; i < 2 + day; i++)
        await chat(url, { user: `u${day}-${i}`, event: 'subscribe' });
      await service.subscribers.save('terminal', `t${day}`, { state: 'active' }, new Date(now));
      if (day % 3 === 2) await chat(url, { user: `u${day - 1}-0`, event: 'unsubscribe' });
      for (let i = 0; i < 3 + ((day * 7) % 5); i++)
        await chat(url, { user: `u${day}-0`, text: TALK[(day + i) % TALK.length]! });
      await chat(url, { user: `u${day}-1`, text: QUESTIONS[day % QUESTIONS.length]! });
      await admin('/entries', {
        id: `briefing-day-${day + 1}`,
        title: `Briefing, day ${day + 1}`,
        date: new Date(now).toISOString(),
        body: 'The day in brief.',
      });
      const { broadcast } = await admin('/broadcasts', {});
      await expect
        .poll(async () => (await admin(`/broadcasts/${broadcast.id}`)).broadcast.status)
        .toBe('done');
    }

    const browser = await openBrowser();
    try {
      const page = await browser.page();
      await page.setViewportSize({ width: 1280, height: 900 });
      await signIn(page, url, TOKEN, '/admin');
      await page.waitForFunction(
        () => document.querySelectorAll('canvas[data-chart]').length === 5,
      );
      await mkdir(DOCS, { recursive: true });
      await page.screenshot({ path: join(DOCS, 'console.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
