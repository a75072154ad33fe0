import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

/** Debian's chromium (`apt-get install chromium fonts-noto-cjk`); CHROMIUM_PATH elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run: always where chromium is installed; where it is not,
 * they are skipped with a note, unless OASIM_REQUIRE_BROWSER=1 (CI sets it) makes a
 * missing browser a failure.
 */
export const browserMissing = !existsSync(CHROMIUM) && process.env.OASIM_REQUIRE_BROWSER !== '1';
if (browserMissing)
  console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Where a failing browser test leaves its screenshot. */
export const SCREENSHOT_DIR = join(import.meta.dirname, '../../data/test-screenshots');

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; when the running test fails, its screenshot is saved under SCREENSHOT_DIR. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** Headless chromium with a fresh profile, and the flags a machine without internet needs. */
export async function openBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'oasim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      onTestFailed(async ({ task }) => {
        await mkdir(SCREENSHOT_DIR, { recursive: true });
        const name = task.name.replace(/[^\w-]+/g, '-').slice(0, 80);
        const path = join(SCREENSHOT_DIR, `${name}.png`);
        await page.screenshot({ path, fullPage: true }).catch(() => {});
        console.error(`screenshot of the failing page: ${path}`);
      });
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Signs a page in through the login form, as a person would. */
export async function signIn(page: Page, baseUrl: string, token: string, next = '/') {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
