import { MAX_ARTICLES, MAX_TEXT_BYTES, type Reply } from './types.ts';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cuts text to at most `maxBytes` of UTF-8 at a character boundary, marking the cut with "…". */
export function truncateUtf8(text: string, maxBytes = MAX_TEXT_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength('…');
  let used = 0;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    const size = Buffer.byteLength(segment);
    if (used + size > budget) break;
    used += size;
    out += segment;
  }
  return `${out}…`;
}

/** Makes a reply fit the platform: text at most 2048 bytes, at most 8 articles. */
export function fitReply(reply: Reply): Reply {
  if (reply.type === 'text') return { type: 'text', text: truncateUtf8(reply.text) };
  return { type: 'articles', articles: reply.articles.slice(0, MAX_ARTICLES) };
}
