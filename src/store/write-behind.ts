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
  /** Queues a statement; `onWritten` runs once it is committed (or failed and was logged). */
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

/** A queued write that failed on its own: which kind of write, and SQLite's reason. */
export interface RowFailure {
  /** The statement's verb and table, such as `INSERT INTO conversation_log`: never its values. */
  kind: string;
  reason: string;
}

/**
 * Runs batches of writes, each in one transaction, preparing each statement once. Should
 * the batch fail, its rows run again one by one, each under a savepoint of one
 * transaction: the good rows commit, and each bad one is rolled back alone and reported.
 * One bad row (an invalid date, a constraint) never costs the other users' rows.
 */
export function batchRunner(db: Db): (writes: Write[]) => RowFailure[] {
  const statements = new Map<string, Statement>();
  const runOne = ([sql, params]: Write) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    statement.run(...params);
  };
  const whole = db.transaction((writes: Write[]) => writes.forEach(runOne));
  // Called inside `oneByOne`'s transaction, better-sqlite3 runs it as a savepoint.
  const row = db.transaction(runOne);
  const oneByOne = db.transaction((writes: Write[]) => {
    const failures: RowFailure[] = [];
    for (const write of writes) {
      try {
        row(write);
      } catch (error) {
        failures.push({ kind: kindOf(write[0]), reason: reasonOf(error) });
      }
    }
    return failures;
  });
  return (writes) => {
    try {
      whole(writes);
      return [];
    } catch {
      return oneByOne(writes);
    }
  };
}

/** `INSERT INTO conversation_log`, `UPDATE deliveries`: what a write is, without its values. */
export function kindOf(sql: string): string {
  const match =
    /^\s*(INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)/i.exec(
      sql,
    );
  return match ? `${match[1]!.replace(/\s+/g, ' ').toUpperCase()} ${match[2]}` : 'statement';
}

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, 200);

/** Logs each failed row with its kind and reason; the rest of its batch was committed. */
export function logFailures(log: Logger, failures: RowFailure[], batch: number): void {
  for (const failure of failures)
    log.error(
      { ...failure, batch },
      'a queued database write failed; the rest of its batch is committed',
    );
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

/**
 * Runs each batch at once on this thread, over this connection. A row that fails is
 * logged (thrown without a log, once the others are committed).
 */
export function runOnThisThread(
  db: Db,
  log?: Logger,
): (writes: Write[], written: (() => void)[]) => void {
  const run = batchRunner(db);
  return (writes, written) => {
    if (!db.open) return;
    try {
      const failures = run(writes);
      if (failures.length && !log)
        throw new Error(`queued database writes failed: ${failures[0]!.reason}`);
      // A timer has nobody to throw to: the bad rows are lost, the process goes on.
      if (log) logFailures(log, failures, writes.length);
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
