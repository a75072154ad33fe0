import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { createVirtualClock } from '../../../src/clock/virtual-clock.ts';
import { signIn } from '../../helpers/browser.ts';
import { startTempService, type TempService } from '../../helpers/temp-service.ts';

export const TOKEN = 'phone-page-test-admin-token';

/** The service as `npm start` runs it (the simulator hosted), on a virtual clock. */
export async function startHostedService(start: Date, env: Record<string, string> = {}) {
  const clock = createVirtualClock({ start });
  const running: TempService = await startTempService({
    clock,
    env: {
      SIMULATOR: 'on',
      ACCOUNT_TYPE: 'service',
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: process.env.DBG ?? 'silent',
      ...env,
    },
  });
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const res = await fetch(`${running.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  const user = async (nickname: string, follow = true) => {
    const { user } = await call<{ user: { openid: string } }>('POST', '/sim/api/users', {
      nickname,
    });
    if (follow) await call('POST', `/sim/api/users/${user.openid}/actions`, { type: 'follow' });
    return user.openid;
  };
  return { running, clock, call, user };
}

export type Hosted = Awaited<ReturnType<typeof startHostedService>>;

/** Signs in and opens the phone page at `path`, once it has drawn what it loads. */
export async function openPhonePage(page: Page, hosted: Hosted, path = '/') {
  await signIn(page, hosted.running.url, TOKEN, path);
  await page.waitForSelector('body[data-ready]');
}

/** The phone of a user, by nickname. */
export const phoneOf = (page: Page, nickname: string) =>
  page.getByRole('region', { name: `Phone of ${nickname}` });

/** `expect.poll` with room for a loaded machine: a page's live update is waited for, not timed. */
export const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
