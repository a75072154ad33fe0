import type { VirtualClock } from './clock/clock.ts';
import type { Config } from './config/config.ts';
import { WECHAT_DEV_TOKEN } from './config/wechat-config.ts';
import { SESSION_COOKIE } from './http/admin-auth.ts';
import type { Logger } from './log/logger.ts';
import { DEV_ACCOUNT } from './wire/dev-account.ts';
import { createSimulator, type Simulator } from './simulator/simulator.ts';

/**
 * The simulated WeChat platform hosted beside the account in one process (`npm start`
 * outside production). The two still meet only on the wire: the simulator's users POST
 * to the account's `/wechat`, and the account's API client calls the simulator's
 * `/cgi-bin` at the service's own address. What they share is the clock, so that time
 * travel moves both, and the admin token, which guards the control API too.
 */
export function hostSimulator(
  config: Config,
  {
    clock,
    adminToken,
    selfUrl,
    log,
  }: { clock: VirtualClock; adminToken?: string; selfUrl: () => string; log: Logger },
): Promise<Simulator> {
  return createSimulator({
    dataDir: config.DATA_DIR,
    databaseUrl: config.SIMULATOR_DATABASE_URL,
    target: {
      url: () => `${selfUrl()}/wechat`,
      token: config.WECHAT_TOKEN ?? WECHAT_DEV_TOKEN,
      appId: config.WECHAT_APPID ?? DEV_ACCOUNT.appId,
      aesKey: config.WECHAT_AES_KEY,
      encryptMode: config.WECHAT_ENCRYPT_MODE,
    },
    account: {
      appId: config.WECHAT_APPID ?? DEV_ACCOUNT.appId,
      appSecret: config.WECHAT_APPSECRET ?? DEV_ACCOUNT.appSecret,
      type: config.ACCOUNT_TYPE,
      name: config.ACCOUNT_NAME,
    },
    clock,
    token: adminToken,
    sessionCookie: SESSION_COOKIE,
    siteName: 'oasim',
    log: log.child({ part: 'simulator' }),
  });
}
