import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_KEYS, loadConfig } from '../../src/config/config.ts';
import { DEV_ACCOUNT } from '../../src/wire/dev-account.ts';

/** Bad values for every secret key, each holding a marker that must never be echoed. */
const MARKER = 'Sup3rSecretMarker';
const BAD_SECRETS: Record<string, string> = {
  ADMIN_TOKEN: `short ${MARKER}`,
  WECHAT_TOKEN: `${MARKER}!with-punctuation`,
  WECHAT_APPSECRET: `${MARKER} has spaces`,
  WECHAT_AES_KEY: `${MARKER}-not-43-chars`,
  WECHAT_AES_KEY_PREVIOUS: `${MARKER}-not-43-chars`,
  WECHATY_PUPPET_SERVICE_TOKEN: `${MARKER} with spaces`,
  WECHATY_PUPPET_OPTIONS: `{"token":"${MARKER}"`,
  DATABASE_URL: `mysql://user:${MARKER}@host/db`,
  SIMULATOR_DATABASE_URL: `mysql://user:${MARKER}@host/db`,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('runs on its defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: 'data',
      MESSAGES_DIR: 'messages',
      LOG_LEVEL: 'info',
    });
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('names every bad value with the reason', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '70000',
        LOG_LEVEL: 'loud',
        ACCOUNT_TZ: 'Mars/Olympus',
        WATCH_MESSAGES: 'maybe',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT="70000": must be between 0 and 65535',
      expect.stringMatching(/^LOG_LEVEL="loud": /),
      'ACCOUNT_TZ="Mars/Olympus": must be an IANA time zone such as Asia/Shanghai',
      'WATCH_MESSAGES="maybe": must be true or false',
    ]);
  });

  it('names a bad secret and its rule without echoing the value, for every secret key', () => {
    expect([...SECRET_KEYS].sort()).toEqual(Object.keys(BAD_SECRETS).sort());
    for (const [key, value] of Object.entries(BAD_SECRETS)) {
      const problems = problemsOf({ [key]: value });
      expect(problems, key).toEqual([
        expect.stringMatching(new RegExp(`^${key} \\(value not shown\\): \\w`)),
      ]);
      expect(problems.join('\n'), key).not.toContain(MARKER);
      expect(new ConfigError(problems).message, key).not.toContain(MARKER);
    }
  });

  it('cuts a long ordinary value and words every rule in plain language', () => {
    const problems = problemsOf({ HOST: '', ACCOUNT_NAME: 'x'.repeat(500), NODE_ENV: 'staging' });
    expect(problems).toEqual([
      'NODE_ENV="staging": must be development, production or test',
      `ACCOUNT_NAME="${'x'.repeat(60)}...": must be at most 64 characters`,
    ]);
  });

  it('keeps the deliveries of ended broadcasts 40 days by default, and never fewer than 32', () => {
    expect(loadConfig({}).DELIVERIES_KEPT_DAYS).toBe(40);
    expect(loadConfig({ DELIVERIES_KEPT_DAYS: '32' }).DELIVERIES_KEPT_DAYS).toBe(32);
    expect(problemsOf({ DELIVERIES_KEPT_DAYS: '31' })).toEqual([
      `DELIVERIES_KEPT_DAYS="31": must be at least 32: the service account's quota counts this calendar month's deliveries`,
    ]);
    expect(problemsOf({ DELIVERIES_KEPT_DAYS: '40.5' })).toEqual([
      'DELIVERIES_KEPT_DAYS="40.5": must be a whole number of days',
    ]);
    expect(problemsOf({ DELIVERIES_KEPT_DAYS: 'forty' })).toEqual([
      'DELIVERIES_KEPT_DAYS="forty": must be a number',
    ]);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });
});

describe('the simulated platform setting', () => {
  it('hosts the simulator outside production and fills in the development account', () => {
    const config = loadConfig({});
    expect(config.simulator).toBe(true);
    expect(config.WECHAT_APPID).toBe(DEV_ACCOUNT.appId);
    expect(config.WECHAT_APPSECRET).toBe(DEV_ACCOUNT.appSecret);
    expect(config.WECHAT_AES_KEY).toBe(DEV_ACCOUNT.aesKey);
  });

  it('lets safe mode be chosen with no other key when the simulator is on', () => {
    expect(loadConfig({ WECHAT_ENCRYPT_MODE: 'safe' }).WECHAT_ENCRYPT_MODE).toBe('safe');
  });

  it('keeps a configured account and adds nothing to it', () => {
    const config = loadConfig({ WECHAT_APPID: 'wx0123456789abcdef', WECHAT_APPSECRET: 'secret' });
    expect(config.WECHAT_APPID).toBe('wx0123456789abcdef');
    expect(config.WECHAT_AES_KEY).toBeUndefined();
  });

  it('is off with SIMULATOR=off, and then no development account is assumed', () => {
    const config = loadConfig({ SIMULATOR: 'off' });
    expect(config.simulator).toBe(false);
    expect(config.WECHAT_APPID).toBeUndefined();
  });

  it('never runs in production, and refuses to be turned on there', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).simulator).toBe(false);
    expect(problemsOf({ NODE_ENV: 'production', SIMULATOR: 'on' })[0]).toContain(
      'the simulated platform never runs in production',
    );
    expect(problemsOf({ SIMULATOR: 'maybe' })[0]).toContain('SIMULATOR="maybe": must be on or off');
  });
});
