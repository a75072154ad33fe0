import { Router, type RequestHandler } from 'express';
import { join } from 'node:path';
import { z } from 'zod';
import type { Broadcasting } from '../broadcast/broadcasting.ts';
import {
  BroadcastError,
  type BroadcastErrorCode,
  type BroadcastRequest,
} from '../broadcast/broadcast-types.ts';
import { ENTRY_ID, ContentError } from '../content/parse-entry.ts';
import type { ContentLibrary } from '../content/library.ts';
import { zonedIso } from '../time/time-zone.ts';
import {
  EntryExistsError,
  EntryMissingError,
  updateEntry,
  writeEntry,
} from '../content/write-entry.ts';
import type { ConversationStore } from '../store/conversations.ts';
import type { SubscriberStore } from '../store/subscribers.ts';
import { MenuEmptyError } from '../wechat/publish-menu.ts';
import { WechatApiError } from '../wechat/api-error.ts';
import type { Access } from '../web/access.ts';
import type { EventHub } from '../events/event-hub.ts';
import { userId } from './chat-routes.ts';
import { HttpError, parseOr400 } from './http-error.ts';
import { jsonBody } from './json-body.ts';
import { idCursor, pageLimit } from './query-params.ts';

export interface AdminDeps {
  broadcasting: Broadcasting;
  subscribers: SubscriberStore;
  conversations: ConversationStore;
  /** Where entries are written, and (for the console) every entry, published or not. */
  library: Pick<
    ContentLibrary,
    'dir' | 'reloadFile' | 'all' | 'get' | 'published' | 'latest' | 'topics' | 'size'
  >;
  /** The time zone a date without an offset is read in (ACCOUNT_TZ). */
  timeZone: string;
  /** Who may use the API: the admin token, or a signed-in browser (`adminAccess`). */
  access: Access;
  /**
   * Publishes the custom menu of `messages/rules.yaml` to the platform (`menu/create`);
   * absent when no WeChat API client is configured. Resolves with the number of buttons.
   */
  publishMenu?: () => Promise<number>;
  /** Where this service is reached: article cards link here (PUBLIC_URL). */
  publicUrl?: string;
  /** Live events (a broadcast's progress), streamed to the console; absent, nothing is live. */
  events?: EventHub;
}

const MAX_ADMIN_BODY = 256 * 1024;
const UPCOMING = 10;

const entryId = z.string().regex(ENTRY_ID, 'must be letters, digits, "-" or "_" (at most 100)');
const channel = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a channel name such as api or wechat');

const broadcastBody = z.strictObject(
  {
    entries: z
      .array(entryId, { error: 'must be a list of entry ids' })
      .min(1, 'must name at least one entry, or be left out for all due entries')
      .max(8, 'at most 8 entries (the platform limit)')
      .optional(),
    preview: userId.optional(),
    channel: channel.optional(),
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
    topic: z
      .string({ error: 'must be a topic name' })
      .min(1, 'must be a topic name')
      .max(30, 'must be a topic name')
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field "${issue.keys[0]}"`
        : 'must be a JSON object',
  },
);

const page = z.object({ limit: pageLimit, before: idCursor });
const deliveryPage = z.object({ limit: pageLimit, after: idCursor });

/** `GET /admin/api/subscribers`'s query; the console's subscriber list reads the same. */
export const subscriberQuery = z.object({
  limit: page.shape.limit,
  state: z
    .enum(['active', 'unsubscribed', 'blocked'], {
      error: 'must be active, unsubscribed or blocked',
    })
    .optional(),
  channel: channel.optional(),
  topic: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(),
  after: z
    .string()
    .max(200, 'must be at most 200 characters')
    .regex(/^[^:]+:.+$/, 'must be <channel>:<user id>, the last of the previous page')
    .optional(),
});

const words = z.array(z.string().max(64)).max(50);
/** An entry's fields as the API (and the console's form) receive them. */
export const entryBody = z.strictObject(
  {
    id: entryId,
    title: z.string({ error: 'is required (text)' }),
    date: z.string({ error: 'is required (ISO 8601 text, e.g. 2021-01-18)' }),
    summary: z.string().optional(),
    keywords: words.optional(),
    topics: words.optional(),
    url: z.string().optional(),
    cover: z.string().optional(),
    author: z.string().optional(),
    body: z.string({ error: 'is required (Markdown text)' }).max(512 * 1024),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field "${issue.keys[0]}"`
        : 'must be a JSON object',
  },
);

const STATUS: Record<BroadcastErrorCode, number> = {
  quota: 409,
  'nothing-due': 409,
  'already-broadcast': 409,
  'not-published': 409,
  'not-cancellable': 409,
  'unknown-entry': 400,
  'not-found': 404,
  'unknown-recipient': 404,
};

/** Runs a domain call; its refusals become HTTP errors with the domain's reason. */
export async function domain<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BroadcastError)
      throw new HttpError(STATUS[error.code], error.message, { cause: error });
    throw error;
  }
}

/**
 * Writes an entry's file and reads it at once rather than wait for the file watcher (which
 * may be off); the content's refusals become 400, 404 or 409 with their reason.
 */
export async function saveEntry(
  deps: AdminDeps,
  write: () => Promise<{ id: string; title: string; publishedAt: Date }>,
) {
  try {
    const entry = await write();
    await deps.library.reloadFile(join(deps.library.dir, `${entry.id}.md`));
    return { id: entry.id, title: entry.title, publishedAt: entry.publishedAt };
  } catch (error) {
    if (error instanceof EntryExistsError) throw new HttpError(409, error.message);
    if (error instanceof EntryMissingError) throw new HttpError(404, error.message);
    if (error instanceof ContentError) throw new HttpError(400, error.reason, { cause: error });
    throw error;
  }
}

/**
 * The broadcast an operator asks for: a preview to one user, or a broadcast to everyone or
 * to one declared topic's followers. A topic nobody may follow is refused in words.
 */
export function broadcastRequest(
  deps: Pick<AdminDeps, 'library'>,
  ask: { entries?: string[]; preview?: string; channel?: string; topic?: string },
): Extract<BroadcastRequest, { kind: 'manual' | 'preview' }> {
  const { entries: entryIds, preview, channel, topic } = ask;
  if (preview) {
    if (topic) throw new HttpError(400, 'topic: a preview goes to one user, not to a topic');
    return { kind: 'preview', user: preview, channel, entryIds };
  }
  if (topic === undefined) return { kind: 'manual', entryIds };
  const known = deps.library.topics();
  if (!known.includes(topic.toLowerCase()))
    throw new HttpError(400, `topic: there is no topic "${topic}" (known: ${known.join(', ')})`);
  return { kind: 'manual', entryIds, topic: topic.toLowerCase() };
}

/**
 * Publishes the rules file's menu to the platform; the refusals become HTTP errors in
 * words (no API client, no menu, the platform's errcode). Resolves with the buttons sent.
 */
export async function publishMenuNow(deps: Pick<AdminDeps, 'publishMenu'>): Promise<number> {
  if (!deps.publishMenu) {
    throw new HttpError(
      409,
      'the WeChat API client is not configured: set WECHAT_APPID and WECHAT_APPSECRET',
    );
  }
  try {
    return await deps.publishMenu();
  } catch (error) {
    if (error instanceof MenuEmptyError) throw new HttpError(409, error.message);
    if (error instanceof WechatApiError) {
      throw new HttpError(502, `the platform refused the menu: ${error.errcode} ${error.errmsg}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The operator's API under `/admin/api`: broadcasts, schedules, entries, subscribers, menu. */
export function adminRoutes(deps: AdminDeps): Router {
  const { broadcasting, subscribers, conversations } = deps;
  const router = Router();
  router.use('/admin/api', deps.access.api);
  const body = jsonBody({ limit: MAX_ADMIN_BODY });
  const requireJson: RequestHandler = (req, _res, next) => {
    // No body at all is fine: `POST /admin/api/broadcasts` alone sends all due entries.
    const empty = (req.get('content-length') ?? '0') === '0' && !req.get('transfer-encoding');
    if (!empty && !req.is('application/json'))
      throw new HttpError(415, 'content-type must be application/json');
    next();
  };

  router.post('/admin/api/broadcasts', requireJson, body, async (req, res) => {
    const {
      entries,
      preview,
      channel: previewChannel,
      dryRun,
      topic,
    } = parseOr400(broadcastBody, req.body ?? {}, 'body');
    if (previewChannel && !preview) throw new HttpError(400, 'channel: is only for a preview');
    const request = broadcastRequest(deps, { entries, preview, channel: previewChannel, topic });
    if (dryRun) {
      res.json({ dryRun: await domain(() => broadcasting.dryRun(request)) });
      return;
    }
    res.status(201).json({ broadcast: await domain(() => broadcasting.broadcastNow(request)) });
  });

  router.get('/admin/api/broadcasts', async (req, res) => {
    const { limit, before } = parseOr400(page, req.query, 'query');
    const items = await broadcasting.store.list({ limit, before });
    res.json({ items, next: items.length === limit ? items.at(-1)!.id : null });
  });

  router.get('/admin/api/broadcasts/:id', async (req, res) => {
    const broadcast = /^\d{1,15}$/.test(req.params.id)
      ? await broadcasting.store.get(Number(req.params.id))
      : undefined;
    if (!broadcast) throw new HttpError(404, `there is no broadcast ${req.params.id}`);
    res.json({ broadcast });
  });

  router.get('/admin/api/broadcasts/:id/deliveries', async (req, res) => {
    const broadcast = /^\d{1,15}$/.test(req.params.id)
      ? await broadcasting.store.get(Number(req.params.id))
      : undefined;
    if (!broadcast) throw new HttpError(404, `there is no broadcast ${req.params.id}`);
    const { limit, after } = parseOr400(deliveryPage, req.query, 'query');
    const items = await broadcasting.store.deliveries(broadcast.id, { limit, after });
    res.json({ items, next: items.length === limit ? items.at(-1)!.id : null });
  });

  router.post('/admin/api/broadcasts/:id/cancel', async (req, res) => {
    if (!/^\d{1,15}$/.test(req.params.id))
      throw new HttpError(404, `there is no broadcast ${req.params.id}`);
    res.json({ broadcast: await domain(() => broadcasting.cancel(Number(req.params.id))) });
  });

  router.get('/admin/api/schedule', (_req, res) => {
    const schedules = broadcasting.scheduler.upcoming(UPCOMING).map((schedule) => ({
      ...schedule,
      next: schedule.next.map((at) => zonedIso(at, schedule.timeZone)),
    }));
    res.json({ schedules });
  });

  router.post('/admin/api/entries', requireJson, body, async (req, res) => {
    const fields = parseOr400(entryBody, req.body, 'body');
    const entry = await saveEntry(deps, () => writeEntry(deps.library.dir, fields, deps.timeZone));
    res.status(201).json({ entry });
  });

  router.put('/admin/api/entries/:id', requireJson, body, async (req, res) => {
    const id = parseOr400(entryId, req.params.id, 'id');
    const fields = parseOr400(entryBody.omit({ id: true }), req.body, 'body');
    const entry = await saveEntry(deps, () =>
      updateEntry(deps.library.dir, { ...fields, id }, deps.timeZone),
    );
    res.json({ entry });
  });

  router.get('/admin/api/subscribers', async (req, res) => {
    const { limit, state, channel, topic, after } = parseOr400(subscriberQuery, req.query, 'query');
    const split = after?.indexOf(':') ?? -1;
    const items = await subscribers.list({
      state,
      channel,
      topic,
      limit,
      after: after ? { channel: after.slice(0, split), userId: after.slice(split + 1) } : undefined,
    });
    const last = items.at(-1);
    res.json({
      items,
      next: items.length === limit && last ? `${last.channel}:${last.userId}` : null,
    });
  });

  router.post('/admin/api/menu', async (_req, res) => {
    res.json({ published: await publishMenuNow(deps) });
  });

  router.get('/admin/api/unanswered', async (req, res) => {
    const { limit } = parseOr400(page, req.query, 'query');
    res.json({ items: await conversations.unanswered(limit) });
  });

  return router;
}
