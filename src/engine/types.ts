import type { Article } from '../content/entry.ts';

export type { Article };

/**
 * Events every channel maps onto. Native names: Official Account `subscribe` / `unsubscribe` /
 * `CLICK` / `VIEW` / `SCAN` / `LOCATION`; Wechaty friendship (follow) and room join.
 */
export type InboundEvent = 'follow' | 'unfollow' | 'click' | 'view' | 'scan' | 'location';

/**
 * Messages that are not text. Native Official Account MsgType: `image`, `voice` (without
 * speech recognition), `video` and `shortvideo` (both `video`), `location`, `link`.
 */
export type InboundMedia = 'image' | 'voice' | 'video' | 'location' | 'link';

/** One message or event from a user, whatever the channel it came through. */
export type Inbound = {
  channel: string;
  user: string;
  time: Date;
} & (
  | { kind: 'text'; text: string }
  | { kind: 'event'; event: InboundEvent; key?: string }
  /** `caption`: what the medium says of itself (a link's title and URL, a location's label). */
  | { kind: 'media'; media: InboundMedia; caption?: string }
);

/** What the account answers. A list of none means no reply at all. */
export type Reply = { type: 'text'; text: string } | { type: 'articles'; articles: Article[] };

/** The platform's limits on a reply (Official Account passive and customer-service messages). */
export const MAX_TEXT_BYTES = 2048;
export const MAX_ARTICLES = 8;
