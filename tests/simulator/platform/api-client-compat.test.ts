import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MenuButton } from '../../../src/content/rules.ts';
import { createWechatApiClient, type WechatApiClient } from '../../../src/wechat/api-client.ts';
import { WechatApiError } from '../../../src/wechat/api-error.ts';
import { memoryLogger } from '../../helpers/temp-service.ts';
import {
  APP_ID,
  APP_SECRET,
  HOUR,
  START,
  openidOf,
  startPlatform,
  type TestPlatform,
} from './fakes.ts';

/**
 * The account's own API client against the simulated platform: what the account sends,
 * the platform takes, and what the platform answers, the client understands.
 */
const MINUTE = 60_000;
const TEXT = { type: 'text', text: 'Weekly digest' } as const;
const MENU: MenuButton[] = [
  { name: 'Latest', click: 'LATEST', replies: [] },
  { name: 'More', subButtons: [{ name: 'Site', view: 'https://example.org/' }] },
];

let p: TestPlatform;
let client: WechatApiClient;
beforeEach(async () => {
  p = await startPlatform({ followers: 5 });
  client = createWechatApiClient({
    baseUrl: p.url,
    appId: APP_ID,
    appSecret: APP_SECRET,
    log: memoryLogger().log,
    now: () => p.clock.now().getTime(),
    sleep: () => Promise.resolve(),
  });
});
afterEach(() => p.close());

describe('the account API client on the simulated platform', () => {
  it('gets a token and keeps using it until shortly before it expires', async () => {
    const first = await client.accessToken();
    expect(await client.accessToken()).toBe(first);
    await p.clock.advance(2 * HOUR);
    const second = await client.accessToken();
    expect(second).not.toBe(first);
    expect((await p.api.calls({ limit: 10 })).filter((c) => c.api === 'token')).toHaveLength(2);
  });

  it('refreshes a token another party replaced, and the call goes through', async () => {
    await client.accessToken();
    await p.token(); // someone else asked for a token: the client's one is replaced
    await p.clock.advance(10 * MINUTE);
    await client.createMenu(MENU);
    expect(await p.api.publishedMenu()).toBeDefined();
    const verdicts = (await p.api.calls({ limit: 3 })).map((c) => `${c.api} ${c.errcode}`);
    expect(verdicts).toEqual(['menu/create 0', 'token 0', 'menu/create 40001']);
  });

  it('sends a customer-service text and a news card', async () => {
    p.followers.update(openidOf(1), { lastMessageAt: START });
    await client.sendCustom(openidOf(1), TEXT);
    const article = {
      id: 'a1',
      title: 'T',
      description: 'D',
      url: 'https://e.x/a',
      picUrl: 'https://e.x/p',
    };
    await client.sendCustom(openidOf(1), { type: 'articles', articles: [article] });
    expect(p.timeline.map((t) => t.message)).toEqual([
      { msgtype: 'text', text: TEXT.text },
      {
        msgtype: 'news',
        articles: [{ title: 'T', description: 'D', url: 'https://e.x/a', picUrl: 'https://e.x/p' }],
      },
    ]);
  });

  it('surfaces the platform errcode for a customer-service message out of time', async () => {
    const error = await client.sendCustom(openidOf(2), TEXT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).errcode).toBe(45015);
  });

  it('mass-sends to OpenIDs, follows the job to SEND_SUCCESS, and sees a retried clientmsgid as a duplicate', async () => {
    const openIds = [openidOf(1), openidOf(2), openidOf(3)];
    const sent = await client.massSend({
      openIds,
      message: TEXT,
      clientMsgId: 'broadcast-1:batch-1',
    });
    expect(sent.duplicate).toBe(false);
    expect((await client.massStatus(sent.msgId)).status).toBe('SENDING');
    await p.clock.advance(MINUTE);
    expect((await client.massStatus(sent.msgId)).status).toBe('SEND_SUCCESS');
    expect(p.timeline.map((t) => t.openid)).toEqual(openIds);
    const again = await client.massSend({
      openIds,
      message: TEXT,
      clientMsgId: 'broadcast-1:batch-1',
    });
    expect(again).toEqual({ msgId: sent.msgId, duplicate: true, msgDataId: undefined });
  });

  it('mass-sends to all and to a tag, and previews', async () => {
    const tagId = await p.api.tagUser(openidOf(4), 'press');
    const all = await client.massSendAll({ message: TEXT, clientMsgId: 'all-1' });
    const tagged = await client.massSendAll({ message: TEXT, tagId, clientMsgId: 'tag-1' });
    await client.massPreview({ openId: openidOf(5), message: TEXT });
    await p.clock.advance(MINUTE);
    expect(p.timeline.filter((t) => t.msgId === all.msgId)).toHaveLength(5);
    expect(p.timeline.filter((t) => t.msgId === tagged.msgId).map((t) => t.openid)).toEqual([
      openidOf(4),
    ]);
    expect(p.timeline.filter((t) => t.source === 'preview').map((t) => t.openid)).toEqual([
      openidOf(5),
    ]);
    expect(p.posted.map((e) => e.SentCount)).toEqual([5, 1]);
  });

  it('publishes the menu of rules.yaml as the platform menu', async () => {
    await client.createMenu(MENU);
    expect((await p.api.publishedMenu())?.buttons).toEqual([
      { type: 'click', name: 'Latest', key: 'LATEST' },
      { name: 'More', sub_button: [{ type: 'view', name: 'Site', url: 'https://example.org/' }] },
    ]);
  });
});
