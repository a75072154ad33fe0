import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_KEYS, loadConfig } from '../../src/config/config.ts';

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

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });
});
