import { ConfigError, loadConfig } from './config/config.ts';
import { loadEnvFile } from './config/env-file.ts';
import { adminApiHint } from './http/admin-token.ts';
import { listenProblem } from './http/listen-error.ts';
import { createLogger } from './log/logger.ts';
import { logUnhandledRejection } from './log/unhandled-rejection.ts';
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

process.on('unhandledRejection', (reason) => logUnhandledRejection(log, reason));

const service = await createService(config, log);
let url: string;
try {
  ({ url } = await service.listen());
} catch (error) {
  const problem = listenProblem(error, { port: config.PORT, host: config.HOST });
  if (!problem) throw error;
  console.error(problem);
  await service.close().catch(() => {});
  process.exit(1);
}
log.info({ url, chat: `${url}/api/chat` }, `oasim listening on ${url}`);
if (service.simulator)
  log.info(
    { control: `${url}/sim/api`, platform: `${url}/cgi-bin`, callback: `${url}/wechat` },
    `simulated WeChat platform on ${url}/sim/api (its users message ${url}/wechat; SIMULATOR=off turns it off)`,
  );
// The one print of a generated development token, on the terminal, not in the JSON log;
// a configured ADMIN_TOKEN is never printed.
if (service.adminToken?.generated)
  process.stderr.write(`${adminApiHint(url, service.adminToken.token)}\n`);
// The last line: where to look. Hosted, `/` is the phone page; otherwise the console.
if (service.adminToken) {
  const token = service.adminToken.generated ? 'the admin token above' : 'ADMIN_TOKEN';
  process.stderr.write(
    `open ${url}${service.simulator ? '/' : '/admin'} (sign in with ${token})\n`,
  );
}

/** SIGINT/SIGTERM: in-flight answers and the write queue finish; the process is gone within this. */
const STOP_LIMIT_MS = 10_000;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Whatever clients or a stuck part do, the process ends within STOP_LIMIT_MS.
    setTimeout(() => {
      log.error({ limitMs: STOP_LIMIT_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, STOP_LIMIT_MS).unref();
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
