import { ConfigError, loadConfig } from './config/config.ts';
import { loadEnvFile } from './config/env-file.ts';
import { adminApiHint } from './http/admin-token.ts';
import { createLogger } from './log/logger.ts';
import { createService } from './service.ts';

loadEnvFile();
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const log = createLogger({ level: config.LOG_LEVEL });

process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));

const service = await createService(config, log);
const { url } = await service.listen();
log.info({ url, chat: `${url}/api/chat` }, `oasim listening on ${url}`);
// The one print of a generated development token, on the terminal, not in the JSON log;
// a configured ADMIN_TOKEN is never printed.
if (service.adminToken?.generated)
  process.stderr.write(`${adminApiHint(url, service.adminToken.token)}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
