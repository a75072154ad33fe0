import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { AES_KEY } from './platform.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('WeChat configuration', () => {
  it('defaults to plaintext mode, a 300 s clock skew and a 4000 ms reply budget', () => {
    expect(loadConfig({})).toMatchObject({
      WECHAT_ENCRYPT_MODE: 'plain',
      WECHAT_MAX_CLOCK_SKEW_S: 300,
      WECHAT_REPLY_BUDGET_MS: 4000,
    });
  });

  it('names the key and the rule for each bad value, and never the value of a secret', () => {
    expect(problemsOf({ WECHAT_AES_KEY: 'abc' })[0]).toContain(
      'WECHAT_AES_KEY (value not shown): must be exactly 43 characters',
    );
    expect(problemsOf({ WECHAT_TOKEN: 'a b' })[0]).toContain(
      'WECHAT_TOKEN (value not shown): must be 3 to 32 letters or digits',
    );
    expect(problemsOf({ WECHAT_ENCRYPT_MODE: 'aes' })[0]).toContain(
      'must be plain, compat or safe',
    );
    expect(problemsOf({ WECHAT_REPLY_BUDGET_MS: '6000' })[0]).toContain(
      'the platform gives up after 5 s',
    );
  });

  it('requires the AES key and the AppID in safe and compatible mode without the simulator', () => {
    expect(problemsOf({ WECHAT_ENCRYPT_MODE: 'safe', SIMULATOR: 'off' })).toEqual([
      'WECHAT_AES_KEY: is required when WECHAT_ENCRYPT_MODE is safe',
      'WECHAT_APPID: is required when WECHAT_ENCRYPT_MODE is safe',
    ]);
    expect(
      problemsOf({ WECHAT_ENCRYPT_MODE: 'compat', WECHAT_AES_KEY: AES_KEY, WECHAT_APPID: 'wx1' }),
    ).toEqual([]);
  });
});
