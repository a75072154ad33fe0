import { z } from 'zod';
import { wechatConfigProblems, wechatConfigShape } from './wechat-config.ts';

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

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
  ...wechatConfigShape,
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
  const problems = wechatConfigProblems(config);
  if (problems.length) throw new ConfigError(problems);
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
