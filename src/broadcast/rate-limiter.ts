/** Waits; injected so that tests can step without real time passing. */
export type Wait = (ms: number) => Promise<void>;

export const realWait: Wait = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * A token bucket shared by every channel's worker: at most `perSecond` deliveries a
 * second overall, with bursts of up to one second's worth. 0 means no limit.
 */
export function createRateLimiter(
  perSecond: number,
  { clock = () => performance.now(), wait = realWait }: { clock?: () => number; wait?: Wait } = {},
): { take(count: number): Promise<void> } {
  let tokens = perSecond;
  let last = clock();
  return {
    async take(count) {
      if (perSecond <= 0) return;
      const refill = () => {
        const now = clock();
        tokens = Math.min(perSecond, tokens + ((now - last) * perSecond) / 1000);
        last = now;
      };
      refill();
      // A batch bigger than the bucket goes out once the bucket is full, and leaves a debt.
      const needed = Math.min(count, perSecond);
      while (tokens < needed) {
        await wait(Math.ceil(((needed - tokens) * 1000) / perSecond));
        refill();
      }
      tokens -= count;
    },
  };
}
