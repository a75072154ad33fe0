import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { replyBudget } from '../../src/wechat/reply-budget.ts';

/** Wide margins everywhere below: the test waits on order, never on a tight figure. */
const BUDGET_MS = 200;
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('the reply budget', () => {
  it('gives the work its value in time, undefined past the budget, and its failure', async () => {
    const within = replyBudget(BUDGET_MS);
    const before = timers();
    const never = new Promise<string>(() => {});
    const started = performance.now();
    const [fast, slow, failed] = await Promise.allSettled([
      within(sleep(5).then(() => 'fast')),
      within(never),
      within(Promise.reject(new Error('engine failed'))),
    ]);
    expect(fast).toEqual({ status: 'fulfilled', value: 'fast' });
    expect(slow).toEqual({ status: 'fulfilled', value: undefined });
    expect(performance.now() - started).toBeGreaterThanOrEqual(BUDGET_MS);
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'engine failed' } });
    // One timer served all three, and it is gone once nothing waits.
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('keeps each deadline its own when work arrives at different times', async () => {
    const within = replyBudget(BUDGET_MS);
    const first = within(new Promise<string>(() => {}));
    await sleep(BUDGET_MS / 2);
    // Finishes after the first deadline has passed, well before its own.
    const second = within(sleep(BUDGET_MS * 0.75).then(() => 'in time'));
    expect(await first).toBeUndefined();
    expect(await second).toBe('in time');
  });
});
