/**
 * Races each callback's work against the reply budget with one timer for all callbacks in
 * flight, not a timer (and a race) each: at the platform's rates those were a measurable
 * share of a callback. A deadline is noticed within `tickMs` of passing, a few percent of
 * the budget, well inside the platform's 5 s.
 */
export function replyBudget(
  budgetMs: number,
  tickMs = Math.max(1, Math.min(100, budgetMs / 16)),
): <T>(work: Promise<T>) => Promise<T | undefined> {
  const waiting = new Set<{ due: number; expire: () => void }>();
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = performance.now();
    for (const entry of waiting)
      if (entry.due <= now) {
        waiting.delete(entry);
        entry.expire();
      }
    if (waiting.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return <T>(work: Promise<T>) =>
    new Promise<T | undefined>((resolve, reject) => {
      const entry = { due: performance.now() + budgetMs, expire: () => resolve(undefined) };
      waiting.add(entry);
      // Not unref'd: a callback in flight keeps the process up until it is answered.
      timer ??= setInterval(sweep, tickMs);
      work.then(
        (value) => {
          waiting.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          waiting.delete(entry);
          reject(error);
        },
      );
    });
}
