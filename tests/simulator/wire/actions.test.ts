import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, ADMIN_TOKEN, startWorld, type SimWorld } from '../sim-fixture.ts';

const SCENE = 'poster2026';
/** The sample account's menu: a click button, and its articles reply (an event: up to 8). */
const MENU_KEY = 'LATEST';

let w: SimWorld;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

async function follower(nickname: string, scene?: string) {
  const made = await w.api<{ user: { openid: string } }>('POST', '/users', { nickname });
  const openid = made.json.user.openid;
  const follow = await act(w, openid, { type: 'follow', ...(scene && { scene }) });
  return { openid, follow: follow.json };
}

describe('what a user does, over the wire', () => {
  it('follows from a QR scene: the event carries it and the user keeps it', async () => {
    const { openid, follow } = await follower('Scanner', SCENE);
    expect(follow.exchange.xml).toContain(`<EventKey><![CDATA[qrscene_${SCENE}]]></EventKey>`);
    expect(follow.exchange.xml).toContain('<Ticket>');
    const user = await w.api<{ user: Record<string, unknown> }>('GET', `/users/${openid}`);
    expect(user.json.user).toMatchObject({
      subscribed: true,
      subscribeScene: 'ADD_SCENE_QR_CODE',
      qrScene: SCENE,
    });
  });

  it.each([
    [{ type: 'image', picUrl: 'https://example.org/a.jpg' }, ['<PicUrl>', '<MediaId>', '<MsgId>']],
    [{ type: 'voice', recognition: '你好' }, ['<Format><![CDATA[amr]]>', '<Recognition>']],
    [{ type: 'location', x: 39.9, y: 116.4, label: 'Beijing' }, ['<Location_X>39.9<', '<Scale>']],
    [{ type: 'link', title: 'A page', url: 'https://example.org/' }, ['<Title>', '<Url>']],
    [{ type: 'scan', scene: SCENE }, ['<Event><![CDATA[SCAN]]>', `<EventKey><![CDATA[${SCENE}]]>`]],
  ])('sends %j with the platform fields and gets an answer', async (action, fields) => {
    const { openid } = await follower('Doer');
    const { status, json } = await act(w, openid, action);
    expect(status).toBe(200);
    for (const field of fields) expect(json.exchange.xml).toContain(field);
    expect(json.exchange.tries).toHaveLength(1);
    expect(json.exchange.tries[0]!.status).toBe(200);
  });

  it('clicks a button of the menu the account published through the platform API, and sees its articles', async () => {
    const published = await fetch(`${w.account.url}/admin/api/menu`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(published.status).toBe(200);
    const state = await w.api<{ menu: unknown }>('GET', '/platform');
    expect(state.json.menu).not.toBeNull();
    const { openid } = await follower('Clicker');
    const { json } = await act(w, openid, { type: 'click', key: MENU_KEY });
    expect(json.exchange.xml).toContain(`<EventKey><![CDATA[${MENU_KEY}]]></EventKey>`);
    expect(json.exchange.verdict.outcome).toBe('shown');
    expect(json.items[1]).toMatchObject({ source: 'reply', message: { msgtype: 'news' } });
    const user = await w.api<{ user: Record<string, unknown> }>('GET', `/users/${openid}`);
    expect(user.json.user.lastEventAt).toBeDefined();
  });

  it('unfollows: the user is no follower any more and cannot send', async () => {
    const { openid } = await follower('Leaver');
    expect((await act(w, openid, { type: 'unfollow' })).status).toBe(200);
    const user = await w.api<{ user: Record<string, unknown> }>('GET', `/users/${openid}`);
    expect(user.json.user.subscribed).toBe(false);
    expect((await act(w, openid, { type: 'text', text: 'hi' })).status).toBe(409);
  });
});
