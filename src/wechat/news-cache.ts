import type { Article } from '../engine/types.ts';

/** Uploads kept at once: a broadcast's few entry sets, and a margin. */
const MAX_KEPT = 64;

/**
 * A card's `mpnews` media_id, uploaded once per process and reused for every mass send of
 * it. `media/uploadnews` allows 10 calls a day, and a broadcast to 100,000 followers is 10
 * mass sends of 10,000 OpenIDs: uploading per send would spend a day's uploads on one
 * broadcast, and pause the next. A failed upload is forgotten (the next send tries again);
 * a media_id the platform no longer knows (40007, it keeps news 3 days) is `forget`-ed by
 * the sender and uploaded afresh.
 */
export function createNewsCache(upload: (articles: Article[]) => Promise<string>) {
  const kept = new Map<string, Promise<string>>();
  const keyOf = (articles: Article[]) => JSON.stringify(articles);
  return {
    mediaId(articles: Article[]): Promise<string> {
      const key = keyOf(articles);
      let id = kept.get(key);
      if (!id) {
        id = upload(articles).catch((error: unknown) => {
          kept.delete(key);
          throw error;
        });
        kept.set(key, id);
        // The oldest goes first (a Map keeps insertion order).
        if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
      }
      return id;
    },
    forget(articles: Article[]): void {
      kept.delete(keyOf(articles));
    },
  };
}
