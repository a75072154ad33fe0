import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_KEYS, loadConfig } from '../../src/config/config.ts';
import { wechatyOptions } from '../../src/wechaty/config.ts';
import { matchPrefix } from '../../src/wechaty/to-inbound.ts';

const TOKEN = 'puppet_service_token_0123';

describe('Wechaty configuration', () => {
  it('leaves the channel off by default', () => {
    expect(wechatyOptions(loadConfig({}))).toBeUndefined();
  });

  it('has conservative defaults and hands the service token and options to the puppet', () => {
    const options = wechatyOptions(
      loadConfig({
        DATA_DIR: '/var/lib/oasim',
        WECHATY_PUPPET: 'wechaty-puppet-service',
        WECHATY_PUPPET_SERVICE_TOKEN: TOKEN,
        WECHATY_PUPPET_OPTIONS: '{"endpoint":"127.0.0.1:8788"}',
      }),
    );
    expect(options).toEqual({
      puppet: 'wechaty-puppet-service',
      puppetOptions: { endpoint: '127.0.0.1:8788', token: TOKEN },
      roomPrefix: '/oa',
      acceptFriends: true,
      sendIntervalMs: 2000,
      sendJitterMs: 1000,
      sessionName: '/var/lib/oasim/wechaty',
    });
  });

  it.each([
    ['WECHATY_PUPPET', 'Not A Package', 'must be off or the npm name of an installed puppet'],
    ['WECHATY_PUPPET_OPTIONS', '[1, 2]', 'must be a JSON object'],
    ['WECHATY_PUPPET_OPTIONS', '{"endpoint":', 'must be a JSON object'],
    ['WECHATY_ROOM_PREFIX', '/o a', 'must be one word without spaces'],
    ['WECHATY_ACCEPT_FRIENDS', 'maybe', 'must be true or false'],
    ['WECHATY_SEND_INTERVAL_MS', '-1', 'must be between 0 and 600000'],
    ['WECHATY_SEND_JITTER_MS', 'soon', 'must be a number'],
  ])('refuses %s=%j naming the problem', (key, value, message) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(
      SECRET_KEYS.has(key)
        ? `${key} (value not shown): ${message}`
        : `${key}=${JSON.stringify(value)}: ${message}`,
    );
  });
});

describe('the room prefix', () => {
  const strip = matchPrefix('/oa');

  it.each([
    ['/oa help', 'help'],
    ['/OA  latest 3', 'latest 3'],
    ['  /oa 订阅', '订阅'],
    ['/oa', ''],
  ])('takes %j as addressed to the bot, with the text %j', (text, rest) => {
    expect(strip(text)).toBe(rest);
  });

  it.each(['help', '/oath', 'say /oa help'])('leaves %j alone', (text) => {
    expect(strip(text)).toBeUndefined();
  });
});
