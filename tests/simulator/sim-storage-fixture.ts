import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresSimStorage } from '../../src/simulator/store/postgres/pg-sim-storage.ts';
import { sqliteSimStorage, type SimStorage } from '../../src/simulator/store/sim-storage.ts';
import { admin, postgresUrl, type DatabaseKind } from '../helpers/postgres.ts';

export { DATABASES, type DatabaseKind } from '../helpers/postgres.ts';

/**
 * A place for the simulator's state: a temporary folder (SQLite) or a schema of its own on
 * the test PostgreSQL. `open` may be called again after a close (a restart on the same
 * data); `dispose` removes the place.
 */
export interface TestSimPlace {
  open(): Promise<SimStorage>;
  dispose(): Promise<void>;
}

export async function testSimPlace(kind: DatabaseKind): Promise<TestSimPlace> {
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'oasim-sim-store-'));
    return {
      open: async () => sqliteSimStorage(dir),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `s_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA "${schema}"`);
  return {
    open: () => postgresSimStorage({ url: postgresUrl!, schema, max: 4 }),
    dispose: () => admin(`DROP SCHEMA "${schema}" CASCADE`),
  };
}

/** A fresh storage of `kind`; its `close` also removes it. */
export async function openTestSimStorage(kind: DatabaseKind): Promise<SimStorage> {
  const place = await testSimPlace(kind);
  const storage = await place.open();
  return {
    ...storage,
    async close() {
      await storage.close();
      await place.dispose();
    },
  };
}
