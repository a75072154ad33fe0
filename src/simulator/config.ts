import { z } from 'zod';

import { DEV_ACCOUNT } from '../wire/dev-account.ts';

/** Development defaults in the platform's shapes: public, so never a real account's. */
export const SIM_DEV_APPID = DEV_ACCOUNT.appId;
export const SIM_DEV_APPSECRET = DEV_ACCOUNT.appSecret;
export const SIM_DEV_TOKEN = DEV_ACCOUNT.token;
export const SIM_DEV_AES_KEY = DEV_ACCOUNT.aesKey;

const simConfigSchema = z.object({
  SIM_TARGET_URL: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL (the callback)' })
    .default('http://127.0.0.1:3000/wechat'),
  SIM_TARGET_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3 to 32 letters or digits (the platform rule)')
    .default(SIM_DEV_TOKEN),
  SIM_TARGET_APPID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the AppID, such as wx0123456789abcdef')
    .default(SIM_DEV_APPID),
  SIM_TARGET_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'must be exactly 43 characters of A-Z, a-z, 0-9, + and /')
    .default(SIM_DEV_AES_KEY),
  SIM_TARGET_ENCRYPT_MODE: z
    .enum(['plain', 'compat', 'safe'], { error: 'must be plain, compat or safe' })
    .default('plain'),
  SIM_TARGET_ORIGINAL_ID: z
    .string()
    .regex(/^gh_[0-9a-f]{12}$/, 'must be gh_ and 12 hex digits')
    .optional(),
  SIM_APPSECRET: z.string().min(1).max(128).default(SIM_DEV_APPSECRET),
  SIM_ACCOUNT_TYPE: z
    .enum(['subscription', 'service'], { error: 'must be subscription or service' })
    .default('service'),
  SIM_ACCOUNT_NAME: z
    .string()
    .min(1)
    .max(64, 'must be at most 64 characters')
    .default('Official Account'),
  SIM_PORT: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(0, 'must be a port, 0 to 65535')
    .max(65535, 'must be a port, 0 to 65535')
    .default(3100),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_DATA_DIR: z.string().min(1).default('data'),
  // The simulator's state on PostgreSQL instead of SIM_DATA_DIR/simulator.db. A secret: a
  // problem with it names the key and the rule only (zod's messages never echo the value).
  SIMULATOR_DATABASE_URL: z
    .string()
    .max(2048, 'must be at most 2048 characters')
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
    .optional(),
  SIM_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
});

export type SimConfig = z.infer<typeof simConfigSchema>;

/** The standalone simulator's settings; throws one message naming every bad key. */
export function loadSimConfig(env: Record<string, string | undefined>): SimConfig {
  const parsed = simConfigSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `simulator configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (parsed.data.NODE_ENV === 'production')
    throw new Error('simulator configuration: the simulated platform never runs in production');
  return parsed.data;
}
