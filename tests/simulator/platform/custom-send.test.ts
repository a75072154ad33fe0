import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, START, openidOf, startPlatform, thumbOf, type TestPlatform } from './fakes.ts';

const USER = openidOf(1);
const MINUTE = 60_000;
const MESSAGE_WINDOW_SENDS = 5;
const EVENT_WINDOW_SENDS = 3;
const TEXT_LIMIT_BYTES = 2048;
import { DATABASES } from '../sim-storage-fixture.ts';

describe.each(DATABASES)('the platform on %s', (kind) => {
  let p: TestPlatform;
  let token: string;
  beforeEach(async () => {
    p = await startPlatform({ followers: 3, kind });
    p.followers.update(USER, { lastMessageAt: START });
    token = await p.token();
  });
  afterEach(() => p.close());

  const send = (body: Record<string, unknown>) =>
    p.call('message/custom/send', { token, body: { touser: USER, ...body } });
  const text = (content: string) => send({ msgtype: 'text', text: { content } });

  describe('message/custom/send', () => {
    it('delivers a text to the user timeline as a custom message', async () => {
      expect(await text('hello')).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(p.timeline).toEqual([
        expect.objectContaining({
          openid: USER,
          source: 'custom',
          message: { msgtype: 'text', text: 'hello' },
        }),
      ]);
    });

    it('delivers one news article, and mpnews material by media_id', async () => {
      const article = {
        title: 'T',
        description: 'D',
        url: 'https://e.x/1',
        picurl: 'https://e.x/p',
      };
      expect((await send({ msgtype: 'news', news: { articles: [article] } })).errcode).toBe(0);
      const upload = await p.call('media/uploadnews', {
        token,
        body: {
          articles: [{ thumb_media_id: await thumbOf(p, token), title: 'M', content: '<p>c</p>' }],
        },
      });
      const mpnews = await send({ msgtype: 'mpnews', mpnews: { media_id: upload.media_id } });
      expect(mpnews.errcode).toBe(0);
      expect(p.timeline.map((t) => t.message.msgtype)).toEqual(['news', 'mpnews']);
    });

    it('refuses a message 49 hours after the user last wrote (45015)', async () => {
      await p.clock.advance(49 * HOUR);
      token = await p.token();
      const answer = await text('late');
      expect(answer.errcode).toBe(45015);
      expect(answer.errmsg).toMatch(/^response out of time limit or subscription is canceled rid:/);
      expect(p.timeline).toEqual([]);
    });

    it('refuses a user who never interacted (45015)', async () => {
      const answer = await p.call('message/custom/send', {
        token,
        body: { touser: openidOf(2), msgtype: 'text', text: { content: 'hi' } },
      });
      expect(answer.errcode).toBe(45015);
    });

    it('allows 5 messages after a user message, then answers 45047', async () => {
      for (let i = 0; i < MESSAGE_WINDOW_SENDS; i++) expect((await text(`m${i}`)).errcode).toBe(0);
      expect((await text('one more')).errcode).toBe(45047);
      // A new message from the user opens a new window.
      p.followers.update(USER, { lastMessageAt: new Date(START.getTime() + MINUTE) });
      await p.clock.advance(2 * MINUTE);
      expect((await text('again')).errcode).toBe(0);
    });

    it('allows 3 messages within a minute of a follow or click, then 45047; after the minute 45015', async () => {
      const other = openidOf(2);
      p.followers.update(other, { lastEventAt: START });
      const sendOther = () =>
        p.call('message/custom/send', {
          token,
          body: { touser: other, msgtype: 'text', text: { content: 'welcome' } },
        });
      for (let i = 0; i < EVENT_WINDOW_SENDS; i++) expect((await sendOther()).errcode).toBe(0);
      expect((await sendOther()).errcode).toBe(45047);
      await p.clock.advance(MINUTE);
      expect((await sendOther()).errcode).toBe(45015);
    });

    it.each([
      ['an unknown OpenID', { touser: 'o_nobody_000000000000000000' }, 40003],
      ['no OpenID', { touser: '' }, 40003],
      ['empty text', { msgtype: 'text', text: { content: '' } }, 44004],
      ['text over 2,048 bytes', { msgtype: 'text', text: { content: '字'.repeat(683) } }, 45002],
      [
        'two news articles',
        { msgtype: 'news', news: { articles: [{ title: 'a' }, { title: 'b' }] } },
        45008,
      ],
      ['no news article', { msgtype: 'news', news: { articles: [] } }, 44003],
      ['unknown material', { msgtype: 'mpnews', mpnews: { media_id: 'nope' } }, 40007],
      ['a message type it does not send', { msgtype: 'video', video: {} }, 40008],
    ])('refuses %s', async (_, body, code) => {
      expect((await send({ msgtype: 'text', text: { content: 'x' }, ...body })).errcode).toBe(code);
      expect(p.timeline).toEqual([]);
    });

    it('takes text of exactly 2,048 bytes', async () => {
      expect((await text('a'.repeat(TEXT_LIMIT_BYTES))).errcode).toBe(0);
    });

    it('refuses a user who unfollowed (43004)', async () => {
      p.followers.update(USER, { subscribed: false });
      expect((await text('bye')).errcode).toBe(43004);
    });
  });
});
