import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { browserMissing, openBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';
import { populate, TOKEN } from './console-fixture.ts';

/**
 * 12:00 in Beijing. The default schedules, in Asia/Shanghai: the digest (0 20 * * *) fires
 * next at 20:00 that day, the broadcast (0 9 * * *) at 09:00 the day after.
 */
const START = new Date('2026-11-23T04:00:00Z');
const DIGEST_TICK = Date.parse('2026-11-23T12:00:00Z');
const BROADCAST_TICK = Date.parse('2026-11-24T01:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Real time a test may take between reading the clock and moving it: the clock runs meanwhile. */
const SLACK = 5 * 60_000;

/**
 * Collects what goes wrong on the page: script errors, CSP refusals, and answers of 400 or
 * more by URL (the browser's own request for /favicon.ico aside: the console has none).
 */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (res) => {
    if (res.status() >= 400 && !res.url().endsWith('/favicon.ico'))
      errors.push(`${res.status()} ${res.url()}`);
  });
  return errors;
}

/** A manual broadcast of every due entry, waited for until every delivery has ended. */
async function broadcastAllDue(running: TempService): Promise<void> {
  const admin = (path: string, method = 'GET') =>
    fetch(`${running.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((res) => res.json() as Promise<{ broadcast: { id: number; status: string } }>);
  const { broadcast } = await admin('/broadcasts', 'POST');
  await expect
    .poll(async () => (await admin(`/broadcasts/${broadcast.id}`)).broadcast.status)
    .toBe('done');
}

describe.skipIf(browserMissing)('the console in a browser', () => {
  let browser: TestBrowser;
  let running: TempService | undefined;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(() => browser?.close());
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('draws the five dashboard charts, with no error on the page', async () => {
    running = await startTempService({ env: { ADMIN_TOKEN: TOKEN } });
    await populate(running.url);
    await broadcastAllDue(running);
    const page = await browser.page();
    const errors = errorsOf(page);
    await signIn(page, running.url, TOKEN, '/admin');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('canvas[data-chart]')].filter((canvas) =>
          (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(
            canvas,
          ),
        ).length === 5,
    );
    await expect(page.getByRole('figure').count()).resolves.toBe(5);
    // Each chart's numbers, as a table named by the chart's caption.
    await expect(
      page.getByRole('table', { name: 'Unanswered queries (the 10 asked most)' }).count(),
    ).resolves.toBe(1);
    expect(errors).toEqual([]);
  });

  it('moves the simulated clock from the schedule page, and the ticks it passes fire', async () => {
    const clock = createVirtualClock({ start: START });
    running = await startTempService({ clock, env: { ADMIN_TOKEN: TOKEN, SIMULATOR: 'on' } });
    const page = await browser.page();
    const errors = errorsOf(page);
    await signIn(page, running.url, TOKEN, '/admin/schedule');
    // The clock runs on between the steps: the minutes shown may be a few past the hour.
    const shows = (hour: string) =>
      expect
        .poll(() => page.locator('#clock-now').textContent())
        .toMatch(new RegExp(`^${hour}:0\\d$`));
    await shows('2026-11-23 12');

    await page.getByRole('button', { name: 'Advance 1 hour' }).click();
    await shows('2026-11-23 13');
    const moved = clock.now().getTime() - START.getTime();
    expect(moved).toBeGreaterThanOrEqual(HOUR);
    expect(moved).toBeLessThan(HOUR + SLACK);

    await page.getByRole('button', { name: 'To the next tick' }).click();
    await shows('2026-11-23 20');
    expect(clock.now().getTime() - DIGEST_TICK).toBeLessThan(SLACK);

    await page.getByRole('button', { name: 'Advance 1 day' }).click();
    await shows('2026-11-24 20');
    expect(clock.now().getTime() - (DIGEST_TICK + DAY)).toBeLessThan(SLACK);
    // Each tick fired at its time: the digest, then the broadcast and the digest of the
    // day the clock jumped over.
    const broadcasts = await running.service.broadcasting.store.list({ limit: 5 });
    const ticks = broadcasts.map((b) => [b.kind, b.tickAt?.getTime()]);
    expect(ticks).toContainEqual(['digest', DIGEST_TICK]);
    expect(ticks).toContainEqual(['scheduled', BROADCAST_TICK]);
    expect(ticks).toContainEqual(['digest', DIGEST_TICK + DAY]);
    expect(errors).toEqual([]);
  });
});
