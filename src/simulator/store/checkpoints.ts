import type BetterSqlite3 from 'better-sqlite3';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.ts';

/** A WAL file this large has been through SQLite's automatic checkpoints (1,000 pages). */
const BUSY_WAL_BYTES = 3 * 1024 * 1024;
const PROBE_MS = 1_000;
const CHECKPOINT_MS = 250;
/**
 * Under writes that never pause, passive checkpoints from another connection never catch
 * up with the WAL's end, so it never starts over. Past this size the main connection
 * checkpoints inline again (its own checkpoints let its next write start the WAL over),
 * until the WAL, cut back to this size at that restart, is below it.
 */
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** Worker threads do not take the main thread's TypeScript loader: tsx is registered first. */
const WORKER_URL = new URL('./checkpoint-worker.ts', import.meta.url).href;
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); })`;

/**
 * Moves the WAL checkpoints of a busy simulator off the thread that answers. SQLite
 * checkpoints on the connection that commits, and with `synchronous = NORMAL` each one
 * syncs the file: two thirds of the cost of a timeline write, on the thread that serves
 * the control API and the platform. Once the WAL file shows that automatic checkpoints
 * have begun (a few MB written), a thread of its own, over its own connection, checkpoints
 * every 250 ms (passively: never in the way of a write) and the main connection stops. A
 * quiet simulator, a test's, never starts the thread; should the thread fail, the main
 * connection checkpoints again.
 */
export function offloadCheckpoints(
  db: BetterSqlite3.Database,
  file: string,
  log?: Pick<Logger, 'warn'>,
): { close(): Promise<void> } {
  let worker: Worker | undefined;
  /** The thread is up and the main connection does not checkpoint. */
  let offloaded = false;
  let closed = false;
  const resume = () => db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);

  function start() {
    const thread = new Worker(BOOT, {
      eval: true,
      workerData: { file, everyMs: CHECKPOINT_MS },
    });
    thread.unref();
    thread.on('message', (message: { ready?: boolean; warn?: string }) => {
      if (message.ready && !closed) {
        db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
        db.pragma('wal_autocheckpoint = 0');
        offloaded = true;
      }
      if (message.warn) log?.warn({ reason: message.warn }, 'a simulator checkpoint was put off');
    });
    thread.on('error', (error) => {
      log?.warn({ err: error }, 'the simulator checkpoint thread failed; checkpoints stay inline');
      offloaded = false;
      clearInterval(probe);
      if (!closed) resume();
    });
    thread.on('exit', () => {
      if (worker !== thread) return;
      worker = undefined;
      // Gone without a word: the main connection checkpoints until another thread starts.
      if (offloaded && !closed) resume();
      offloaded = false;
    });
    worker = thread;
  }

  const probe = setInterval(() => {
    const bytes = walBytes(file);
    if (!worker) {
      if (bytes >= BUSY_WAL_BYTES) start();
      return;
    }
    if (!offloaded) return;
    db.pragma(
      `wal_autocheckpoint = ${bytes > WAL_LIMIT_BYTES ? SQLITE_DEFAULT_AUTOCHECKPOINT : 0}`,
    );
  }, PROBE_MS);
  probe.unref();

  return {
    async close() {
      closed = true;
      clearInterval(probe);
      const thread = worker;
      if (!thread) return;
      resume();
      const exited = new Promise((done) => thread.once('exit', done));
      thread.postMessage('stop');
      await exited;
    },
  };
}

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
