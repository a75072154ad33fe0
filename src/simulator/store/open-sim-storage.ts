import type { Logger } from '../../log/logger.ts';
import { postgresSimStorage } from './postgres/pg-sim-storage.ts';
import { sqliteSimStorage, type SimStorage } from './sim-storage.ts';

/** The simulator's state: on PostgreSQL when `databaseUrl` is set, else `dataDir/simulator.db`. */
export async function openSimStorage(options: {
  dataDir: string;
  databaseUrl?: string;
  log?: Pick<Logger, 'warn'>;
}): Promise<SimStorage> {
  if (options.databaseUrl)
    return postgresSimStorage({ url: options.databaseUrl, log: options.log });
  return sqliteSimStorage(options.dataDir);
}
