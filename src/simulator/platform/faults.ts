/**
 * A fault to inject: after `after` calls of `api` go through, the next `times` answer
 * `errcode` (a fault in the middle of a broadcast of several mass sends).
 */
export interface Fault {
  /** The API's path after `/cgi-bin/`, e.g. `message/mass/send`. */
  api: string;
  errcode: number;
  /** 1 when absent. */
  times?: number;
  /** Calls answered as usual before the fault fires; 0 when absent. */
  after?: number;
}

/** More than this many is a mistake, not a test. */
export const MAX_FAULT_TIMES = 10_000;

/**
 * Injected faults, in memory: a test's or a demo's setting, not platform state. `inject`
 * throws a RangeError, in words, for a fault that could never fire as meant.
 */
export function createFaults(isApi: (name: string) => boolean) {
  const pending = new Map<string, { errcode: number; times: number; after: number }[]>();
  return {
    inject({ api, errcode, times = 1, after = 0 }: Fault) {
      const name = typeof api === 'string' ? api.replace(/^\/?(cgi-bin\/)?/, '') : '';
      if (!isApi(name)) throw new RangeError(`the platform has no API named "${String(api)}"`);
      if (!Number.isSafeInteger(errcode) || errcode === 0)
        throw new RangeError('a fault needs a non-zero integer errcode');
      if (!Number.isSafeInteger(times) || times < 1 || times > MAX_FAULT_TIMES)
        throw new RangeError(`a fault happens 1 to ${MAX_FAULT_TIMES} times`);
      if (!Number.isSafeInteger(after) || after < 0 || after > MAX_FAULT_TIMES)
        throw new RangeError(`a fault waits 0 to ${MAX_FAULT_TIMES} calls`);
      pending.set(name, [...(pending.get(name) ?? []), { errcode, times, after }]);
    },
    /** The errcode this call must answer, if a fault is pending for its API. */
    take(api: string): number | undefined {
      const queue = pending.get(api);
      const next = queue?.[0];
      if (!queue || !next) return undefined;
      if (next.after > 0) {
        next.after -= 1;
        return undefined;
      }
      next.times -= 1;
      if (next.times === 0) queue.shift();
      if (queue.length === 0) pending.delete(api);
      return next.errcode;
    },
    pending: () => [...pending].flatMap(([api, faults]) => faults.map((f) => ({ api, ...f }))),
    clear: () => pending.clear(),
  };
}
