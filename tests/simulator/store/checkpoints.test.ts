import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { offloadCheckpoints } from '../../../src/simulator/store/checkpoints.ts';
import { openSimDatabase, SIM_DATABASE_FILE } from '../../../src/simulator/store/sim-database.ts';
import { createTimelineStore } from '../../../src/simulator/store/timeline-store.ts';

/** Long enough for the probe (every second) and the thread's start on a loaded machine. */
const PATIENCE = { timeout: 30_000, interval: 100 };
const RECORD = { raw: 'x'.repeat(4000) };

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function busySimulatorDb() {
  const dir = await mkdtemp(join(tmpdir(), 'oasim-sim-wal-'));
  dirs.push(dir);
  const db = openSimDatabase(dir);
  const file = join(dir, SIM_DATABASE_FILE);
  const timeline = createTimelineStore(db);
  const write = (count: number) => {
    for (let i = 0; i < count; i++)
      timeline.append({
        openid: `o${String(i % 50).padStart(27, '0')}`,
        at: new Date().toISOString(),
        source: 'reply',
        message: { msgtype: 'text', text: 'hello' },
        record: RECORD,
      });
  };
  const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true }) as number;
  return { db, file, write, autocheckpoint };
}

describe('checkpoints of a busy simulator', () => {
  it('stay on the main connection while the simulator is quiet', async () => {
    const { db, file, write, autocheckpoint } = await busySimulatorDb();
    const offload = offloadCheckpoints(db, file);
    write(10);
    await new Promise((done) => setTimeout(done, 1_500));
    expect(autocheckpoint()).toBeGreaterThan(0);
    await offload.close();
    db.close();
  });

  it('move to a thread of their own once the WAL shows heavy writing, and come back at close', async () => {
    const { db, file, write, autocheckpoint } = await busySimulatorDb();
    const offload = offloadCheckpoints(db, file);
    write(1_500); // about 6 MB: SQLite's own checkpoints have begun
    await vi.waitFor(() => expect(autocheckpoint()).toBe(0), PATIENCE);
    // The main connection no longer checkpoints: the database file grows only by the thread's.
    const before = statSync(file).size;
    write(500);
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before), PATIENCE);
    await offload.close();
    expect(autocheckpoint()).toBeGreaterThan(0);
    expect(db.prepare('SELECT COUNT(*) FROM sim_timeline').pluck().get()).toBe(2_000);
    db.close();
  });
});
