/**
 * The checkpoint thread's side of `offloadCheckpoints`: its own connection to the
 * simulator's database, copying the WAL into the database file every `everyMs`. A
 * passive checkpoint never waits for the main thread's writes; should the WAL still grow
 * past `truncateBytes` (writes that never pause), a truncating one waits for a gap in them
 * and empties the WAL.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Database } from '../../sqlite/driver.ts';

const { file, everyMs, truncateBytes } = workerData as {
  file: string;
  everyMs: number;
  truncateBytes: number;
};
const db = new Database(file);
db.pragma('busy_timeout = 5000');

const walBytes = () => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

const timer = setInterval(() => {
  try {
    db.pragma(walBytes() > truncateBytes ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Busy past the timeout: the next round tries again.
    parentPort!.postMessage({ warn: error instanceof Error ? error.message : String(error) });
  }
}, everyMs);

parentPort!.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
parentPort!.postMessage({ ready: true });
