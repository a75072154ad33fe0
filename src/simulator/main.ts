import type { AddressInfo } from 'node:net';
import { createLogger } from '../log/logger.ts';
import { loadSimConfig } from './config.ts';
import { resolveSimToken } from './sim-token.ts';
import { createSimulator } from './simulator.ts';

/** `npm run simulator`: the simulated platform alone, pointed at any bot by SIM_TARGET_*. */
async function main(): Promise<void> {
  const config = loadSimConfig(process.env);
  const log = createLogger({ level: config.LOG_LEVEL });
  const token = config.SIM_TOKEN ?? resolveSimToken(config.SIM_DATA_DIR);
  const sim = await createSimulator({
    dataDir: config.SIM_DATA_DIR,
    databaseUrl: config.SIMULATOR_DATABASE_URL,
    target: {
      url: config.SIM_TARGET_URL,
      token: config.SIM_TARGET_TOKEN,
      appId: config.SIM_TARGET_APPID,
      aesKey: config.SIM_TARGET_AES_KEY,
      encryptMode: config.SIM_TARGET_ENCRYPT_MODE,
      ...(config.SIM_TARGET_ORIGINAL_ID && { originalId: config.SIM_TARGET_ORIGINAL_ID }),
    },
    account: {
      appId: config.SIM_TARGET_APPID,
      appSecret: config.SIM_APPSECRET,
      type: config.SIM_ACCOUNT_TYPE,
      name: config.SIM_ACCOUNT_NAME,
    },
    token,
    log,
  });
  const server = sim.app.listen(config.SIM_PORT, config.SIM_HOST, () => {
    const { port } = server.address() as AddressInfo;
    log.info(
      { port, target: config.SIM_TARGET_URL, mode: config.SIM_TARGET_ENCRYPT_MODE },
      `simulated platform on http://${config.SIM_HOST}:${port} (API /cgi-bin, control /sim/api)`,
    );
    // The one print of a generated token, on the terminal; a configured SIM_TOKEN never is.
    if (!config.SIM_TOKEN)
      process.stderr.write(
        `control API: curl -H "Authorization: Bearer ${token}" http://${config.SIM_HOST}:${port}/sim/api/users\n`,
      );
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
