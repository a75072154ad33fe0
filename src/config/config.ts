import { z } from 'zod';

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

const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PUBLIC_URL: z.url({ error: 'must be an absolute http(s) URL' }).optional(),
  DATA_DIR: z.string().min(1, 'must not be empty').default('data'),
  MESSAGES_DIR: z.string().min(1, 'must not be empty').default('messages'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  ACCOUNT_NAME: z.string().min(1).max(64).default('IDCPC Information Office'),
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
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(1, 'must not be empty').optional(),
  WECHATY_PUPPET_OPTIONS: jsonObject.default({}),
  WECHATY_ROOM_PREFIX: z
    .string()
    .max(16, 'must be at most 16 characters')
    .regex(/^\S+$/, 'must be one word without spaces, such as /oa')
    .default('/oa'),
  WECHATY_ACCEPT_FRIENDS: z.stringbool({ error: 'must be true or false' }).default(true),
  WECHATY_SEND_INTERVAL_MS: milliseconds.default(2000),
  WECHATY_SEND_JITTER_MS: milliseconds.default(1000),
});

export type Config = z.infer<typeof schema> & { publicUrl: string };

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
      parsed.error.issues.map(
        (issue) =>
          `${issue.path.join('.')}=${JSON.stringify(present[String(issue.path[0])])}: ${issue.message}`,
      ),
    );
  }
  const config = parsed.data;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return {
    ...config,
    publicUrl: (config.PUBLIC_URL ?? `http://${host}:${config.PORT}`).replace(/\/$/, ''),
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
