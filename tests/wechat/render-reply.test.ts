import { describe, expect, it } from 'vitest';
import type { Article, Reply } from '../../src/engine/types.ts';
import { planReplies, renderPassive } from '../../src/wechat/render-reply.ts';
import { replyFields } from './platform.ts';

const article = (n: number): Article => ({
  id: `e${n}`,
  title: `Entry ${n}`,
  description: `About ${n}`,
  url: `http://example.test/entries/e${n}`,
  picUrl: `http://example.test/e${n}.jpg`,
});
const cards = (count: number): Reply => ({
  type: 'articles',
  articles: Array.from({ length: count }, (_, i) => article(i + 1)),
});
const NOW = new Date('2025-03-01T00:00:00Z');
const NOW_SECONDS = String(NOW.getTime() / 1000);

describe('planReplies', () => {
  it('gives a user message one card and sends the other cards as a follow-up text list', () => {
    const plan = planReplies([cards(3)], { isMessage: true, canFollowUp: true });
    expect(plan.passive).toEqual({ type: 'articles', articles: [article(1)] });
    expect(plan.followUps).toEqual([
      { type: 'text', text: `1. Entry 2\n${article(2).url}\n2. Entry 3\n${article(3).url}` },
    ]);
  });

  it('gives an event up to 8 cards in the passive reply', () => {
    const plan = planReplies([cards(8)], { isMessage: false, canFollowUp: true });
    expect(plan.passive).toEqual(cards(8));
    expect(plan.followUps).toEqual([]);
  });

  it('folds everything into one text when follow-ups cannot be sent', () => {
    const plan = planReplies([{ type: 'text', text: 'Here:' }, cards(2)], {
      isMessage: true,
      canFollowUp: false,
    });
    expect(plan).toEqual({
      passive: {
        type: 'text',
        text: `Here:\n\n1. Entry 1\n${article(1).url}\n2. Entry 2\n${article(2).url}`,
      },
      followUps: [],
    });
  });

  it('answers nothing for no replies', () => {
    expect(planReplies([], { isMessage: true, canFollowUp: true })).toEqual({ followUps: [] });
  });
});

describe('renderPassive', () => {
  it('swaps sender and recipient and writes seconds, with no bytes before the XML', () => {
    const xml = renderPassive(
      { type: 'text', text: 'hi ]]> there' },
      { user: 'oUser', account: 'gh_1', now: NOW },
    );
    expect(xml.startsWith('<xml>')).toBe(true);
    expect(replyFields(xml)).toMatchObject({
      ToUserName: 'oUser',
      FromUserName: 'gh_1',
      CreateTime: NOW_SECONDS,
      MsgType: 'text',
    });
    expect(xml).toContain('<Content><![CDATA[hi ]]]]><![CDATA[> there]]></Content>');
  });

  it('cuts text over 2048 bytes at a character boundary', () => {
    const xml = renderPassive(
      { type: 'text', text: '汉'.repeat(1000) },
      { user: 'u', account: 'a', now: NOW },
    );
    const content = replyFields(xml).Content!;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
    expect(content.replace('…', '')).toMatch(/^汉+$/);
  });

  it('writes news with ArticleCount and one item per card', () => {
    const xml = renderPassive(cards(2), { user: 'u', account: 'a', now: NOW });
    expect(replyFields(xml)).toMatchObject({
      MsgType: 'news',
      ArticleCount: '2',
      Title: 'Entry 1',
      PicUrl: article(1).picUrl,
    });
    expect(xml.match(/<item>/g)).toHaveLength(2);
  });
});
