import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  APP_ID,
  APP_SECRET,
  startWorld,
  textOf,
  timelineOf,
  type SimWorld,
} from '../sim-fixture.ts';

const CUSTOM_TEXT = 'A follow-up from the editors';

let w: SimWorld;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

async function platformCall(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${w.simUrl}/cgi-bin/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('messages the platform delivers outside a reply', () => {
  it('puts a customer-service message on the timeline of the user it went to', async () => {
    const made = await w.api<{ user: { openid: string } }>('POST', '/users', { nickname: 'Cs' });
    const openid = made.json.user.openid;
    await act(w, openid, { type: 'follow' });
    await act(w, openid, { type: 'text', text: 'hello' });
    const token = await platformCall(
      `token?grant_type=client_credential&appid=${APP_ID}&secret=${APP_SECRET}`,
    );
    const sent = await platformCall(
      `message/custom/send?access_token=${String(token.access_token)}`,
      {
        touser: openid,
        msgtype: 'text',
        text: { content: CUSTOM_TEXT },
      },
    );
    expect(sent.errcode).toBe(0);
    const [last] = (await timelineOf(w, openid, 1)).reverse();
    expect(last).toMatchObject({ source: 'custom' });
    expect(textOf(last)).toBe(CUSTOM_TEXT);
  });

  it('forgets users and timelines on reset', async () => {
    const made = await w.api<{ user: { openid: string } }>('POST', '/users', { nickname: 'Gone' });
    expect((await w.api('POST', '/reset')).status).toBe(200);
    expect((await w.api('GET', `/users/${made.json.user.openid}`)).status).toBe(404);
    const users = await w.api<{ total: number }>('GET', '/users');
    expect(users.json.total).toBe(0);
  });
});
