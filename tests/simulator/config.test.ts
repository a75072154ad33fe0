import { describe, expect, it } from 'vitest';
import { decodeAesKey } from '../../src/wire/crypto.ts';
import { loadSimConfig, SIM_DEV_TOKEN } from '../../src/simulator/config.ts';

describe('the standalone simulator settings', () => {
  it('has development defaults in the platform shapes, so safe mode works unset', () => {
    const config = loadSimConfig({});
    expect(config.SIM_TARGET_APPID).toMatch(/^wx[0-9a-f]{16}$/);
    expect(config.SIM_APPSECRET).toMatch(/^[0-9a-f]{32}$/);
    expect(config.SIM_TARGET_TOKEN).toBe(SIM_DEV_TOKEN);
    expect(decodeAesKey(config.SIM_TARGET_AES_KEY)).toHaveLength(32);
    expect(config.SIMULATOR_DATABASE_URL).toBeUndefined();
  });

  it('names a bad SIMULATOR_DATABASE_URL and its rule, never its value', () => {
    const secret = 'mysql://user:Sup3rSecretMarker@host/db';
    expect(() => loadSimConfig({ SIMULATOR_DATABASE_URL: secret })).toThrow(
      /SIMULATOR_DATABASE_URL: must be a postgres:\/\/ URL/,
    );
    expect(() => loadSimConfig({ SIMULATOR_DATABASE_URL: secret })).not.toThrow(/Sup3rSecret/);
  });

  it.each([
    [{ SIM_PORT: 'abc' }, /SIM_PORT: must be a number/],
    [{ SIM_TARGET_URL: 'ftp://x' }, /SIM_TARGET_URL/],
    [{ SIM_TARGET_ENCRYPT_MODE: 'secret' }, /must be plain, compat or safe/],
    [{ SIM_TARGET_AES_KEY: 'short' }, /43 characters/],
    [{ SIM_TARGET_ORIGINAL_ID: 'gh_xyz' }, /gh_ and 12 hex/],
    [{ NODE_ENV: 'production' }, /never runs in production/],
  ])('refuses %j naming the key', (env, said) => {
    expect(() => loadSimConfig(env)).toThrow(said);
  });
});
