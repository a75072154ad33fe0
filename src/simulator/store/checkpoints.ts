import type BetterSqlite3 from 'better-sqlite3';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.ts';

/** A WAL file this large has been through SQLite's automatic checkpoints (1,000 pages). */
const BUSY_WAL_BYTES = 3 * 1024 * 1024;
const PROBE_MS = 1_000;
const CHECKPOINT_MS = 250;
/** Past this the checkpoint thread empties the WAL, waiting for a gap in the writes. */
const TRUNCATE_WAL_BYTES = 64 * 1024 * 1024;
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
 * every 250 ms and the main connection stops. A quiet simulator, a test's, never starts
 * the thread; should the thread fail, the main connection checkpoints again.
 */
export function offloadCheckpoints(
  db: BetterSqlite3.Database,
  file: string,
  log?: Pick<Logger, 'warn'>,
): { close(): Promise<void> } {
  let worker: Worker | undefined;
  let closed = false;
  const resume = () => db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);

  function start() {
    const thread = new Worker(BOOT, {
      eval: true,
      workerData: { file, everyMs: CHECKPOINT_MS, truncateBytes: TRUNCATE_WAL_BYTES },
    });
    thread.unref();
    thread.on('message', (message: { ready?: boolean; warn?: string }) => {
      if (message.ready && !closed) db.pragma('wal_autocheckpoint = 0');
      if (message.warn) log?.warn({ reason: message.warn }, 'a simulator checkpoint was put off');
    });
    thread.on('error', (error) => {
      log?.warn({ err: error }, 'the simulator checkpoint thread failed; checkpoints stay inline');
      if (!closed) resume();
    });
    thread.on('exit', () => {
      if (worker === thread) worker = undefined;
    });
    worker = thread;
  }

  const probe = setInterval(() => {
    if (walBytes(file) < BUSY_WAL_BYTES) return;
    clearInterval(probe);
    start();
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
