/**
 * The writer thread's side of `startWriteThread`: its own connection to the database file,
 * running each batch it is sent in one transaction (and, through SQLite's automatic
 * checkpoints, most checkpoints too), off the thread that answers requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.ts';
import { batchRunner, type RowFailure, type Write } from './write-behind.ts';

const { file, done } = workerData as { file: string; done: SharedArrayBuffer };
const committed = new Int32Array(done);
const db = openDatabase(file, { migrate: false });
const run = batchRunner(db);
// Loaded and connected: from now on the thread may be asked to stop (see write-thread.ts).
parentPort!.postMessage({ ready: true });

type Message = { id: number; writes: Write[] } | { close: true };
parentPort!.on('message', (message: Message) => {
  if ('close' in message) {
    db.close();
    parentPort!.close();
    return;
  }
  const { id, writes } = message;
  let failures: RowFailure[] = [];
  let error: string | undefined;
  try {
    failures = run(writes);
  } catch (caught) {
    // Not a row's fault (the row-by-row retry caught those): the connection's, say a full disk.
    error = caught instanceof Error ? caught.message : String(caught);
  }
  Atomics.store(committed, 0, id);
  Atomics.notify(committed, 0);
  parentPort!.postMessage({ id, error, failures, writes: writes.length });
});
