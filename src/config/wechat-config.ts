import { DEV_ACCOUNT } from '../wire/dev-account.ts';
import { z } from 'zod';

/**
 * The token the callback uses when WECHAT_TOKEN is unset outside production, so the
 * sample (and the simulated platform) runs with no setup. Public, hence never used in
 * production: there the channel stays off until a token is configured.
 */
export const WECHAT_DEV_TOKEN = DEV_ACCOUNT.token;

const aesKey = z
  .string()
  .regex(
    /^[A-Za-z0-9+/]{43}$/,
    'must be exactly 43 characters of A-Z, a-z, 0-9, + and / (the EncodingAESKey)',
  );
const whole = (min: number, max: number, why: string) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}${why}`)
    .max(max, `must be between ${min} and ${max}${why}`);

/** The WeChat Official Account keys of the configuration (see .env.example). */
export const wechatConfigShape = {
  WECHAT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3 to 32 letters or digits (the platform rule)')
    .optional(),
  WECHAT_APPID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the AppID, such as wx0123456789abcdef')
    .optional(),
  WECHAT_APPSECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{1,128}$/, 'must be letters or digits, at most 128 (the AppSecret)')
    .optional(),
  WECHAT_ENCRYPT_MODE: z
    .enum(['plain', 'compat', 'safe'], { error: 'must be plain, compat or safe' })
    .default('plain'),
  WECHAT_AES_KEY: aesKey.optional(),
  WECHAT_AES_KEY_PREVIOUS: aesKey.optional(),
  WECHAT_API_BASE: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .optional(),
  WECHAT_MAX_CLOCK_SKEW_S: whole(1, 86_400, ' seconds').default(300),
  WECHAT_REPLY_BUDGET_MS: whole(1, 4900, ' ms (the platform gives up after 5 s)').default(4000),
};

type WechatConfig = z.infer<z.ZodObject<typeof wechatConfigShape>>;

/** Rules across keys, each problem worded as `KEY: what to do`. */
export function wechatConfigProblems(config: WechatConfig): string[] {
  const problems: string[] = [];
  if (config.WECHAT_ENCRYPT_MODE !== 'plain') {
    for (const key of ['WECHAT_AES_KEY', 'WECHAT_APPID'] as const)
      if (!config[key])
        problems.push(
          `${key}: is required when WECHAT_ENCRYPT_MODE is ${config.WECHAT_ENCRYPT_MODE}`,
        );
  }
  if (config.WECHAT_APPSECRET && !config.WECHAT_APPID)
    problems.push('WECHAT_APPID: is required when WECHAT_APPSECRET is set');
  if (config.WECHAT_AES_KEY_PREVIOUS && !config.WECHAT_AES_KEY)
    problems.push('WECHAT_AES_KEY: is required when WECHAT_AES_KEY_PREVIOUS is set');
  return problems;
}
