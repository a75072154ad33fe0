import type { Logger } from '../log/logger.ts';
import type { Db } from './database.ts';

/**
 * Writes that may trail the answer they belong to by a few milliseconds, gathered into one
 * transaction: on this kind of disk a commit costs more than everything else a chat reply
 * does, and one commit for many writes costs about what one commit for one write does.
 *
 * A queued write runs at most `flushMs` later, at once when `maxQueue` writes wait, and
 * on `flush()` (before reads that must see it, and at shutdown). What a crash can lose is
 * the last `flushMs` of queued writes; stores queue only what that may lose.
 */
export interface WriteBehind {
  defer(write: () => void): void;
  /** Runs what is queued now, in one transaction. A failure is logged (thrown without a log). */
  flush(): void;
}

export function createWriteBehind(
  db: Db,
  {
    flushMs = 20,
    maxQueue = 1000,
    log,
  }: { flushMs?: number; maxQueue?: number; log?: Logger } = {},
): WriteBehind {
  let queue: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const runAll = db.transaction((writes: (() => void)[]) => {
    for (const write of writes) write();
  });

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 || !db.open) return;
    const writes = queue;
    queue = [];
    try {
      runAll(writes);
    } catch (error) {
      // A timer has nobody to throw to: the writes are lost, the process goes on.
      log?.error({ err: error, writes: writes.length }, 'queued database writes failed');
      if (!log) throw error;
    }
  };

  return {
    defer(write) {
      queue.push(write);
      if (queue.length >= maxQueue) flush();
      else timer ??= setTimeout(flush, flushMs).unref();
    },
    flush,
  };
}
