/**
 * The checkpoint thread's side of `offloadCheckpoints`: its own connection to the
 * simulator's database, copying the WAL into the database file every `everyMs`. Only
 * passive checkpoints: one that waits (full, restart, truncate) holds the write lock while
 * it waits for readers, and a main-thread write behind it could time out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Database } from '../../sqlite/driver.ts';

const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new Database(file);
db.pragma('busy_timeout = 5000');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // The next round tries again.
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
