import type { Reply } from '../engine/types.ts';

/** A reply as terminal text: article cards as numbered title lines with their summary and link. */
export function renderReplyText(reply: Reply): string {
  if (reply.type === 'text') return reply.text;
  return reply.articles
    .map((article, i) =>
      [
        `[${i + 1}] ${article.title}`,
        article.description && `    ${article.description}`,
        `    ${article.url}`,
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n');
}
