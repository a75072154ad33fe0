/** A fault to inject: the next `times` calls of `api` answer `errcode`. */
export interface Fault {
  /** The API's path after `/cgi-bin/`, e.g. `message/mass/send`. */
  api: string;
  errcode: number;
  /** 1 when absent. */
  times?: number;
}

/** Injected faults, in memory: a test's or a demo's setting, not platform state. */
export function createFaults() {
  const pending = new Map<string, { errcode: number; times: number }[]>();
  return {
    inject({ api, errcode, times = 1 }: Fault) {
      if (!Number.isSafeInteger(errcode) || errcode === 0)
        throw new RangeError('a fault needs a non-zero integer errcode');
      if (!Number.isSafeInteger(times) || times < 1)
        throw new RangeError('a fault happens at least once');
      const name = api.replace(/^\/?(cgi-bin\/)?/, '');
      pending.set(name, [...(pending.get(name) ?? []), { errcode, times }]);
    },
    /** The errcode this call must answer, if a fault is pending for its API. */
    take(api: string): number | undefined {
      const queue = pending.get(api);
      const next = queue?.[0];
      if (!queue || !next) return undefined;
      next.times -= 1;
      if (next.times === 0) queue.shift();
      if (queue.length === 0) pending.delete(api);
      return next.errcode;
    },
    pending: () => [...pending].flatMap(([api, faults]) => faults.map((f) => ({ api, ...f }))),
    clear: () => pending.clear(),
  };
}
