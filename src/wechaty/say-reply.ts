import type { Sayable, Wechaty } from 'wechaty';
import type { Article, Reply } from '../engine/types.ts';
import { errorMessage } from './errors.ts';

/** A contact or a room: anything the bot can say something to. */
export interface Conversation {
  say(sayable: Sayable): Promise<unknown>;
}

/**
 * Whether the puppet sends link cards. It starts out true and turns false for good the first
 * time the puppet says it cannot (wechaty-puppet-wechat4u, for one, throws "Unsupported"), so
 * later articles go straight out as text.
 */
export interface LinkSupport {
  cards: boolean;
}

/** Puppets say "no link cards" as wechaty-puppet's throwUnsupportedError, or gRPC UNIMPLEMENTED. */
const UNSUPPORTED = /unsupported|unimplemented|not\s+(?:been\s+)?implemented/i;

/**
 * Says one reply: text as text, each article as a `UrlLink` card, or, where the puppet cannot
 * send cards, all articles as one text with their titles and links.
 */
export async function sayReply(
  to: Conversation,
  reply: Reply,
  { bot, links }: { bot: Pick<Wechaty, 'UrlLink'>; links: LinkSupport },
): Promise<void> {
  if (reply.type === 'text') {
    await to.say(reply.text);
    return;
  }
  for (const [index, article] of reply.articles.entries()) {
    if (!links.cards) {
      await to.say(articlesText(reply.articles.slice(index)));
      return;
    }
    try {
      await to.say(new bot.UrlLink(toUrlLinkPayload(article)));
    } catch (error) {
      if (!UNSUPPORTED.test(errorMessage(error))) throw error;
      links.cards = false;
      await to.say(articlesText(reply.articles.slice(index)));
      return;
    }
  }
}

export function toUrlLinkPayload(article: Article): {
  url: string;
  title: string;
  description: string;
  thumbnailUrl?: string;
} {
  return {
    url: article.url,
    title: article.title,
    description: article.description,
    ...(article.picUrl ? { thumbnailUrl: article.picUrl } : {}),
  };
}

/** The text fallback for cards: title, summary and link of each, a blank line between. */
export function articlesText(articles: Article[]): string {
  return articles
    .map((a) => [a.title, a.description, a.url].filter(Boolean).join('\n'))
    .join('\n\n');
}
