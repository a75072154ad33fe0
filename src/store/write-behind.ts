import type { Statement } from 'better-sqlite3';
import type { Logger } from '../log/logger.ts';
import type { Db } from './database.ts';

/** One queued statement: its SQL and its positional parameters. */
export type Write = [sql: string, params: unknown[]];

/**
 * Writes that may trail the answer they belong to by a few milliseconds (the conversation
 * log, the record of an answered WeChat callback), gathered into one transaction: a commit
 * costs more than everything else a chat reply does, and one commit for many writes costs
 * about what one commit for one write does.
 *
 * A queued write runs at most `flushMs` later, at once when `maxQueue` writes wait, and
 * on `flush()` (before reads that must see it, and at shutdown). What a crash can lose is
 * the last `flushMs` of queued writes; stores queue only what that may lose.
 */
export interface WriteBehind {
  /** Queues a statement; `onWritten` runs once it is committed (or its batch failed and was logged). */
  defer(sql: string, params: unknown[], onWritten?: () => void): void;
  /** Returns once everything queued so far is committed. A failure is logged (thrown without a log). */
  flush(): void;
  /** Flushes and lets go of what the queue holds (a writer thread). */
  close(): Promise<void>;
}

export interface WriteBehindOptions {
  flushMs?: number;
  maxQueue?: number;
  log?: Logger;
}

/** Runs batches of writes, each in one transaction, preparing each statement once. */
export function batchRunner(db: Db): (writes: Write[]) => void {
  const statements = new Map<string, Statement>();
  return db.transaction((writes: Write[]) => {
    for (const [sql, params] of writes) {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      statement.run(...params);
    }
  });
}

/**
 * The queue and its timer, whatever runs the batches: `send` takes a batch and the
 * callbacks to run once it is written; `wait` (optional) blocks until all sent batches are.
 */
export function writeQueue(
  { flushMs = 20, maxQueue = 1000 }: WriteBehindOptions,
  send: (writes: Write[], written: (() => void)[]) => void,
  wait: () => void = () => {},
): Omit<WriteBehind, 'close'> {
  let writes: Write[] = [];
  let written: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const sendQueued = () => {
    clearTimeout(timer);
    timer = undefined;
    if (writes.length === 0) return;
    const batch = writes;
    const callbacks = written;
    writes = [];
    written = [];
    send(batch, callbacks);
  };
  return {
    defer(sql, params, onWritten) {
      writes.push([sql, params]);
      if (onWritten) written.push(onWritten);
      if (writes.length >= maxQueue) sendQueued();
      else timer ??= setTimeout(sendQueued, flushMs).unref();
    },
    flush() {
      sendQueued();
      wait();
    },
  };
}

/** Runs each batch at once on this thread, over this connection; a failure is logged (thrown without a log). */
export function runOnThisThread(
  db: Db,
  log?: Logger,
): (writes: Write[], written: (() => void)[]) => void {
  const run = batchRunner(db);
  return (writes, written) => {
    if (!db.open) return;
    try {
      run(writes);
    } catch (error) {
      // A timer has nobody to throw to: the writes are lost, the process goes on.
      if (!log) throw error;
      log.error({ err: error, writes: writes.length }, 'queued database writes failed');
    } finally {
      for (const callback of written) callback();
    }
  };
}

/** The queue run on this thread, over this connection. */
export function createWriteBehind(db: Db, options: WriteBehindOptions = {}): WriteBehind {
  const queue = writeQueue(options, runOnThisThread(db, options.log));
  return { ...queue, close: async () => queue.flush() };
}
