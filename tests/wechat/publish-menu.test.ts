import { afterEach, describe, expect, it } from 'vitest';
import { startTempService, type TempService } from '../helpers/temp-service.ts';
import { startStubPlatform, type StubPlatform } from './stub-platform.ts';

const TOKEN = 'menu-admin-token-0123456789';
const SAMPLE_MENU_BUTTONS = 3;
let running: TempService | undefined;
let stub: StubPlatform | undefined;
afterEach(async () => {
  await running?.cleanup();
  await stub?.close();
  running = stub = undefined;
});

/** The service with a WeChat API client pointed at the stub platform. */
const startWithClient = (platform: StubPlatform) =>
  startTempService({
    env: {
      ADMIN_TOKEN: TOKEN,
      WECHAT_APPID: 'wxmenutest0000001',
      WECHAT_APPSECRET: 'secret',
      WECHAT_API_BASE: platform.url,
    },
  });

async function publish(url: string) {
  const res = await fetch(`${url}/admin/api/menu`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('POST /admin/api/menu', () => {
  it('publishes the menu of rules.yaml in the platform form', async () => {
    stub = await startStubPlatform();
    running = await startWithClient(stub);
    expect(await publish(running.url)).toEqual({
      status: 200,
      json: { published: SAMPLE_MENU_BUTTONS },
    });
    const [call] = stub.callsTo('menu/create');
    const buttons = call?.body.button as {
      name: string;
      type?: string;
      key?: string;
      sub_button?: { key: string }[];
    }[];
    expect(buttons).toHaveLength(SAMPLE_MENU_BUTTONS);
    expect(buttons[0]).toEqual({ type: 'click', name: '最新 Latest', key: 'LATEST' });
    expect(buttons[1]?.sub_button?.map((b) => b.key)).toEqual([
      'TOPIC_EVENTS',
      'TOPIC_EXCHANGES',
      'TOPIC_DIALOGUE',
    ]);
  });

  it('answers 502 naming the platform error when the platform refuses the menu', async () => {
    stub = await startStubPlatform();
    stub.script('menu/create', { json: { errcode: 40018, errmsg: 'invalid button name size' } });
    running = await startWithClient(stub);
    expect(await publish(running.url)).toEqual({
      status: 502,
      json: { error: 'the platform refused the menu: 40018 invalid button name size' },
    });
  });

  it('answers 409 when no WeChat API client is configured', async () => {
    running = await startTempService({ env: { ADMIN_TOKEN: TOKEN } });
    const { status, json } = await publish(running.url);
    expect(status).toBe(409);
    expect(json.error).toContain('set WECHAT_APPID and WECHAT_APPSECRET');
  });
});
