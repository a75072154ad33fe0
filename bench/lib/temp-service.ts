import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { createService, type Service } from '../../src/service.ts';

/** The real service on a free loopback port, over a copy of the sample messages/ and a fresh database. */
export async function startBenchService(
  env: Record<string, string> = {},
): Promise<{ service: Service; url: string; dataDir: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-'));
  cpSync(join(import.meta.dirname, '../../messages'), join(dir, 'messages'), { recursive: true });
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    MESSAGES_DIR: join(dir, 'messages'),
    LOG_LEVEL: 'silent',
    WATCH_MESSAGES: 'false',
    // Tests that want the simulated platform hosted beside the account say SIMULATOR: 'on'.
    SIMULATOR: 'off',
    ...env,
  });
  const service = await createService(config, createLogger({ level: 'silent' }));
  const { url } = await service.listen();
  return {
    service,
    url,
    dataDir: join(dir, 'data'),
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
