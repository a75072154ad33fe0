import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.ts';
import type { Db } from './database.ts';
import {
  logFailures,
  runOnThisThread,
  writeQueue,
  type RowFailure,
  type Write,
  type WriteBehind,
  type WriteBehindOptions,
} from './write-behind.ts';

/** How long `flush()` waits for the writer thread before it logs and goes on. */
const FLUSH_WAIT_MS = 10_000;
/** How long `close()` waits for the thread to start, then to end, before it stops it. */
const CLOSE_WAIT_MS = 10_000;

/**
 * Worker threads do not take the main thread's TypeScript loader: the worker registers
 * tsx itself, then loads its module.
 */
const WORKER_URL = new URL('./write-worker.ts', import.meta.url).href;
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); })`;

/**
 * The write-behind queue with its transactions run on a thread of its own, over its own
 * connection to the same file: the inserts, the commits and the checkpoints they bring
 * leave the thread that answers requests. `flush()` blocks until the thread has
 * committed what was queued (Atomics.wait on a shared counter), so reads that follow see
 * it. Should the thread fail, the queue falls back to writing on this thread over `db`.
 */
export function startWriteThread(
  db: Db,
  file: string,
  { log, ...options }: WriteBehindOptions & { log: Logger },
): WriteBehind {
  const done = new SharedArrayBuffer(4);
  const committed = new Int32Array(done);
  const worker = new Worker(BOOT, { eval: true, workerData: { file, done } });
  let sent = 0;
  /** The callbacks of each batch sent and not yet committed, by batch id. */
  const waiting = new Map<number, (() => void)[]>();
  let fallback: ((writes: Write[], written: (() => void)[]) => void) | undefined;
  let closing = false;

  /** Runs the callbacks of every batch up to `id` (ids are sent and committed in order). */
  const settle = (id: number) => {
    for (const [batch, callbacks] of waiting) {
      if (batch > id) break;
      waiting.delete(batch);
      for (const callback of callbacks) callback();
    }
  };

  // The thread is told to stop only once it has loaded: stopping it while it loads the
  // SQLite addon aborts the whole process (a native module's init cut short).
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => markReady());

  type Report = {
    ready?: true;
    id?: number;
    error?: string;
    failures?: RowFailure[];
    writes?: number;
  };
  worker.on('message', (message: Report) => {
    if (message.ready) return markReady();
    if (message.id === undefined) return;
    if (message.error)
      log.error({ err: message.error, writes: message.writes }, 'queued database writes failed');
    logFailures(log, message.failures ?? [], message.writes ?? 0);
    settle(message.id);
  });
  worker.on('error', (error) => log.error({ err: error }, 'database writer thread failed'));
  worker.on('exit', (code) => {
    if (closing) return;
    log.error(
      { code, lost: waiting.size },
      'database writer thread ended; writing on the main thread',
    );
    settle(Number.POSITIVE_INFINITY);
    fallback = runOnThisThread(db, log);
  });

  const queue = writeQueue(
    options,
    (writes, written) => {
      if (fallback) return fallback(writes, written);
      const id = ++sent;
      waiting.set(id, written);
      worker.postMessage({ id, writes });
    },
    () => {
      const deadline = Date.now() + FLUSH_WAIT_MS;
      let now: number;
      for (
        let at = Atomics.load(committed, 0);
        at < sent && !fallback;
        at = Atomics.load(committed, 0)
      ) {
        if ((now = Date.now()) >= deadline) {
          log.warn(
            { sent, committed: at },
            'database writer thread is slow; flush goes on without it',
          );
          break;
        }
        Atomics.wait(committed, 0, at, deadline - now);
      }
      settle(Atomics.load(committed, 0));
    },
  );

  return {
    ...queue,
    async close() {
      queue.flush();
      closing = true;
      // Asked to stop, the thread closes its connection and ends; one that does not
      // within the wait (stuck on a lock, say) is stopped.
      if (await within(ready, CLOSE_WAIT_MS)) {
        worker.postMessage({ close: true });
        if (await within(exited, CLOSE_WAIT_MS)) return;
      }
      await worker.terminate();
    },
  };
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
