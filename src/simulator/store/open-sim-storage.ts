import { sqliteSimStorage, type SimStorage } from './sim-storage.ts';

/** The simulator's state: on PostgreSQL when `databaseUrl` is set, else `dataDir/simulator.db`. */
export async function openSimStorage(options: {
  dataDir: string;
  databaseUrl?: string;
}): Promise<SimStorage> {
  return sqliteSimStorage(options.dataDir);
}
