import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

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

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });
});
