import { describe, expect, it } from 'vitest';
import { newsArticle, THUMB_JPEG } from '../../src/wechat/mpnews.ts';

const THUMB = 'thumb-id';
const TITLE_MAX = 64;
const DIGEST_MAX = 120;
const CONTENT_MAX = 20_000;
const THUMB_MAX_BYTES = 64 * 1024;
const JPEG_SOI = [0xff, 0xd8];
const JPEG_EOI = [0xff, 0xd9];
const card = (over: Partial<Parameters<typeof newsArticle>[0]> = {}) => ({
  id: 'e1',
  title: 'Entry',
  description: 'A summary',
  url: 'http://x.test/entries/e1',
  picUrl: '',
  ...over,
});
const chars = (text: string | undefined) => [...(text ?? '')].length;

describe('newsArticle', () => {
  it('carries the summary and a link as content, the url as source, and the thumb', () => {
    expect(newsArticle(card(), THUMB)).toEqual({
      title: 'Entry',
      content:
        '<p>A summary</p><p><a href="http://x.test/entries/e1">http://x.test/entries/e1</a></p>',
      digest: 'A summary',
      author: '',
      content_source_url: 'http://x.test/entries/e1',
      show_cover_pic: 0,
      thumb_media_id: THUMB,
    });
  });

  it('escapes markup in the summary and the url, so a card cannot inject HTML', () => {
    const article = newsArticle(
      card({ description: '<script>x</script> & "q"', url: 'http://x.test/?a="b"&c=<d>' }),
      THUMB,
    );
    expect(article.content).not.toContain('<script>');
    expect(article.content).toContain('&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;');
    expect(article.content).toContain('href="http://x.test/?a=&quot;b&quot;&amp;c=&lt;d&gt;"');
  });

  it.each([
    ['a long title', card({ title: '标题'.repeat(100) })],
    ['a long summary', card({ description: 'd'.repeat(30_000) })],
    ['a long summary of markup', card({ description: '"'.repeat(30_000) })],
    ['a long Chinese summary', card({ description: '摘要'.repeat(20_000) })],
  ])('keeps %s within the platform limits', (_, entry) => {
    const article = newsArticle(entry, THUMB);
    expect(chars(article.title)).toBeLessThanOrEqual(TITLE_MAX);
    expect(chars(article.digest)).toBeLessThanOrEqual(DIGEST_MAX);
    expect(chars(article.content)).toBeLessThanOrEqual(CONTENT_MAX);
    expect(article.content).toContain(`<a href="${entry.url}">`);
  });

  it('titles a card without a title by its url', () => {
    expect(newsArticle(card({ title: '  ' }), THUMB).title).toBe('http://x.test/entries/e1');
  });
});

describe('THUMB_JPEG', () => {
  it('is a whole JPEG within the 64 KB a thumb may be', () => {
    expect([...THUMB_JPEG.subarray(0, 2)]).toEqual(JPEG_SOI);
    expect([...THUMB_JPEG.subarray(-2)]).toEqual(JPEG_EOI);
    expect(THUMB_JPEG.length).toBeLessThanOrEqual(THUMB_MAX_BYTES);
  });
});
