import type { Entry } from '../../content/entry.ts';
import type { Handler } from '../compose.ts';
import type { TurnContext } from '../context.ts';
import { articlesReply } from '../reply-specs.ts';

/** Searches the archive for a message no rule answered; the best entries come back as cards. */
export const handleArchiveSearch: Handler<TurnContext> = async (ctx, next) => {
  const { inbound } = ctx;
  if (inbound.kind !== 'text') return next();
  const found = await searchPage(ctx, inbound.text.slice(0, 500), 0);
  if (!found) return next();
  return undefined;
};

/** Answers one page of results for `query` and remembers where "more" goes on; false when none. */
export async function searchPage(
  ctx: TurnContext,
  query: string,
  offset: number,
): Promise<boolean> {
  const { deps, inbound } = ctx;
  const { ids, hasMore } = await deps.search.search(query, {
    limit: deps.pageSize,
    offset,
    now: ctx.now,
  });
  const entries = ids
    .map((id) => deps.library.published(id, ctx.now))
    .filter((entry): entry is Entry => entry !== undefined);
  if (entries.length === 0) return false;
  ctx.replies.push(articlesReply(entries, deps.publicUrl));
  if (hasMore) ctx.replies.push({ type: 'text', text: 'Send "more" (更多) for further results.' });
  await deps.sessions.saveSearch(
    inbound.channel,
    inbound.user,
    hasMore ? { query, offset: offset + ids.length } : undefined,
    inbound.time,
  );
  return true;
}
