import type { Entry } from '../content/entry.ts';
import type { ContentView } from '../content/library.ts';
import type { ReplySpec } from '../content/rules.ts';
import { MAX_ARTICLES, type Article, type Reply } from './types.ts';

/** An entry as an article card; an entry without its own URL links to its page here. */
export function toArticle(entry: Entry, publicUrl: string): Article {
  return {
    id: entry.id,
    title: entry.title,
    description: entry.summary,
    url: entry.url ?? `${publicUrl}/entries/${encodeURIComponent(entry.id)}`,
    picUrl: entry.cover ?? '',
  };
}

export function articlesReply(entries: Entry[], publicUrl: string): Reply {
  return {
    type: 'articles',
    articles: entries.slice(0, MAX_ARTICLES).map((entry) => toArticle(entry, publicUrl)),
  };
}

/**
 * Turns a reply as written in the rules into what is sent, reading the library now so an
 * entry added since start is included. Only entries published at `now` are shown: an entry
 * list whose entries are all gone or not yet published gives nothing.
 */
export function resolveReply(
  spec: ReplySpec,
  library: ContentView,
  publicUrl: string,
  now: Date,
): Reply | undefined {
  if ('text' in spec) return { type: 'text', text: spec.text };
  const entries =
    'entries' in spec
      ? spec.entries
          .map((id) => library.published(id, now))
          .filter((entry): entry is Entry => entry !== undefined)
      : library.latest(spec.latest, { topic: spec.topic, now });
  return entries.length ? articlesReply(entries, publicUrl) : undefined;
}
