import { z } from 'zod';
import { DEV_ACCOUNT } from '../wire/dev-account.ts';
import { canonicalTimeZone } from '../time/time-zone.ts';
import { CronError, cronTimes, splitCronList } from '../time/cron-times.ts';
import { wechatConfigProblems, wechatConfigShape } from './wechat-config.ts';

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const milliseconds = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number of milliseconds')
  .min(0, 'must be between 0 and 600000')
  .max(600_000, 'must be between 0 and 600000');

/** A JSON object given as one line of text, such as `{"endpoint":"127.0.0.1:8788"}`. */
const jsonObject = z.string().transform((text, ctx): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object such as {"key":"value"}' });
  return z.NEVER;
});

const timeZone = z
  .string()
  .refine(
    (name) => canonicalTimeZone(name) !== undefined,
    'must be an IANA time zone such as Asia/Shanghai',
  );

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);

/** Cron expressions separated by ";"; each is checked by node-cron. */
const cronList = z.string().superRefine((value, ctx) => {
  try {
    const expressions = splitCronList(value);
    if (expressions.length === 0) ctx.addIssue('must name at least one cron expression');
    for (const expression of expressions) cronTimes(expression, 'UTC');
  } catch (error) {
    if (!(error instanceof CronError)) throw error;
    ctx.addIssue(
      `${error.message} (five or six fields, e.g. "0 9 * * *"; several separated by ";")`,
    );
  }
});

/**
 * Days a broadcast's delivery partition outlives its end (PostgreSQL). At least 32: the
 * service account's quota counts this calendar month's deliveries, so none may go sooner.
 */
const keptDays = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number of days')
  .min(
    32,
    "must be at least 32: the service account's quota counts this calendar month's deliveries",
  )
  .max(36_500, 'must be at most 36500 days');

const postgresUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .regex(
    /^postgres(ql)?:\/\/\S+$/,
    'must be a postgres:// URL, such as postgres://user@host:5432/oasim',
  );

const schema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'must be development, production or test',
    })
    .default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PUBLIC_URL: z.url({ error: 'must be an absolute http(s) URL' }).optional(),
  DATA_DIR: z.string().min(1, 'must not be empty').default('data'),
  // PostgreSQL instead of DATA_DIR/oasim.db (issue 12): several instances share one account.
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: wholeNumber(1, 200).default(10),
  MESSAGES_DIR: z.string().min(1, 'must not be empty').default('messages'),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      error: 'must be trace, debug, info, warn, error, fatal or silent',
    })
    .default('info'),
  ACCOUNT_NAME: z
    .string()
    .max(64, 'must be at most 64 characters')
    .default('IDCPC Information Office'),
  ACCOUNT_TZ: timeZone.default('Asia/Shanghai'),
  SEARCH_PAGE_SIZE: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(1, 'must be between 1 and 8')
    .max(8, 'must be between 1 and 8')
    .default(5),
  WATCH_MESSAGES: z.stringbool({ error: 'must be true or false' }).default(true),
  // The Wechaty channel (src/wechaty/): off unless a puppet package is named.
  WECHATY_PUPPET: z
    .string()
    .regex(
      /^(off|(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*)$/,
      'must be off or the npm name of an installed puppet, such as wechaty-puppet-mock',
    )
    .default('off'),
  WECHATY_PUPPET_SERVICE_TOKEN: z
    .string()
    .max(1024, 'must be at most 1024 characters')
    .regex(/^\S+$/, 'must be one word without spaces')
    .optional(),
  WECHATY_PUPPET_OPTIONS: jsonObject.default({}),
  WECHATY_ROOM_PREFIX: z
    .string()
    .max(16, 'must be at most 16 characters')
    .regex(/^\S+$/, 'must be one word without spaces, such as /oa')
    .default('/oa'),
  WECHATY_ACCEPT_FRIENDS: z.stringbool({ error: 'must be true or false' }).default(true),
  WECHATY_SEND_INTERVAL_MS: milliseconds.default(2000),
  WECHATY_SEND_JITTER_MS: milliseconds.default(1000),
  // Broadcasts (issue 4).
  BROADCAST_CRON: cronList.default('0 9 * * *'),
  BROADCAST_TZ: timeZone.default('Asia/Shanghai'),
  BROADCAST_CATCHUP_HOURS: wholeNumber(0, 168).default(6),
  DIGEST_CRON: cronList.default('0 20 * * *'),
  ACCOUNT_TYPE: z
    .enum(['subscription', 'service'], { error: 'must be subscription or service' })
    .default('subscription'),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(512, 'must be at most 512 characters')
    .regex(/^\S+$/, 'must be one word without spaces (it is sent as a Bearer token)')
    .optional(),
  DISPATCH_RATE_PER_SECOND: wholeNumber(0, 1_000_000).default(1000),
  DISPATCH_BATCH_SIZE: wholeNumber(1, 10_000).default(500),
  DISPATCH_LEASE_SECONDS: wholeNumber(1, 3600).default(60),
  DELIVERY_MAX_ATTEMPTS: wholeNumber(1, 20).default(5),
  DELIVERY_RETRY_SECONDS: wholeNumber(1, 86_400).default(30),
  BLOCK_AFTER_FAILURES: wholeNumber(1, 100).default(3),
  // PostgreSQL: a large broadcast's partition of deliveries is dropped this long after it ended.
  DELIVERIES_KEPT_DAYS: keptDays.default(40),
  // The simulated WeChat platform (src/simulator/): on outside production unless turned off.
  SIMULATOR: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
  // The simulator's own state on PostgreSQL instead of DATA_DIR/simulator.db.
  SIMULATOR_DATABASE_URL: postgresUrl.optional(),
  ...wechatConfigShape,
});

export type Config = z.infer<typeof schema> & {
  publicUrl: string;
  /** Whether this process hosts the simulated platform (never in production). */
  simulator: boolean;
};

/**
 * The keys whose values are secrets (or may hold one, as puppet options do): a problem
 * with one names the key and the rule, never the value. One list, so a new secret key is
 * marked in one place.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'ADMIN_TOKEN',
  'WECHAT_TOKEN',
  'WECHAT_APPSECRET',
  'WECHAT_AES_KEY',
  'WECHAT_AES_KEY_PREVIOUS',
  'WECHATY_PUPPET_SERVICE_TOKEN',
  'WECHATY_PUPPET_OPTIONS',
  // A connection string may carry a password.
  'DATABASE_URL',
  'SIMULATOR_DATABASE_URL',
]);

/** The longest value echoed back in a problem; longer ones are cut. */
const SHOWN_VALUE_CHARS = 60;

/** `KEY="value": rule` for an ordinary key; `KEY (value not shown): rule` for a secret. */
function problem(key: string, value: unknown, rule: string): string {
  if (SECRET_KEYS.has(key)) return `${key} (value not shown): ${rule}`;
  const text = String(value);
  const shown = text.length > SHOWN_VALUE_CHARS ? `${text.slice(0, SHOWN_VALUE_CHARS)}...` : text;
  return `${key}=${JSON.stringify(shown)}: ${rule}`;
}

/** A configuration value that failed validation, named so the operator can fix it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; every key has a default (see .env.example). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return problem(key, present[key], issue.message);
      }),
    );
  }
  const production = parsed.data.NODE_ENV === 'production';
  if (production && parsed.data.SIMULATOR === 'on')
    throw new ConfigError([
      'SIMULATOR="on": the simulated platform never runs in production; set SIMULATOR=off or NODE_ENV',
    ]);
  const simulator = !production && parsed.data.SIMULATOR !== 'off';
  const config = simulator ? withDevAccount(parsed.data) : parsed.data;
  const problems = wechatConfigProblems(config);
  if (problems.length) throw new ConfigError(problems);
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return {
    ...config,
    simulator,
    publicUrl: (config.PUBLIC_URL ?? `http://${host}:${config.PORT}`).replace(/\/$/, ''),
  };
}

/**
 * With the simulated platform on and no account configured, the development account of
 * the platform's shapes fills the gaps, so the API client is on from the first start and
 * safe mode needs only WECHAT_ENCRYPT_MODE. A configured AppID keeps its own secret.
 */
function withDevAccount<T extends z.infer<typeof schema>>(config: T): T {
  const unset = !config.WECHAT_APPID && !config.WECHAT_APPSECRET;
  return {
    ...config,
    ...(unset && { WECHAT_APPID: DEV_ACCOUNT.appId, WECHAT_APPSECRET: DEV_ACCOUNT.appSecret }),
    WECHAT_AES_KEY: config.WECHAT_AES_KEY ?? (unset ? DEV_ACCOUNT.aesKey : undefined),
  };
}
