import { Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../engine/engine.ts';
import type { Inbound } from '../engine/types.ts';
import type { InboxStore } from '../store/inbox.ts';
import { HttpError, parseOr400 } from './http-error.ts';
import { jsonBody } from './json-body.ts';
import { idCursor, pageLimit } from './query-params.ts';

export const API_CHANNEL = 'api';
export const MAX_BODY_BYTES = 64 * 1024;

/** User ids: bounded, and free of characters that would break logs or URLs. */
export const userId = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\p{L}\p{N}_.@:+=-]+$/u, 'may contain only letters, digits and _ . @ : + = -');

const chatBody = z
  .strictObject(
    {
      user: userId,
      text: z
        .string({ error: 'must be a string' })
        .trim()
        .min(1, 'must not be empty')
        .max(2000, 'must be at most 2000 characters')
        .optional(),
      event: z
        .enum(['subscribe', 'unsubscribe', 'click'], {
          error: 'must be subscribe, unsubscribe or click',
        })
        .optional(),
      key: z
        .string({ error: 'must be a string' })
        .min(1, 'must not be empty')
        .max(128, 'must be at most 128 characters')
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : 'must be a JSON object',
    },
  )
  .superRefine((body, ctx) => {
    if (body.text !== undefined && body.event !== undefined)
      ctx.addIssue('send either "text" or "event", not both');
    else if (body.text === undefined && body.event === undefined)
      ctx.addIssue('send either "text" or "event"');
  });

const inboxQuery = z.object({
  limit: pageLimit,
  before: idCursor,
  channel: z
    .string({ error: 'must be given once' })
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a channel name such as api or wechat')
    .default(API_CHANNEL),
});

/** `POST /api/chat` and `GET /api/users/:id/inbox`: the account as a JSON API. */
export function chatRoutes({
  engine,
  inbox,
  now = () => new Date(),
}: {
  engine: Engine;
  inbox: InboxStore;
  now?: () => Date;
}): Router {
  const router = Router();

  router.post('/api/chat', jsonBody({ limit: MAX_BODY_BYTES }), async (req, res) => {
    if (!req.is('application/json'))
      throw new HttpError(415, 'content-type must be application/json');
    const body = parseOr400(chatBody, req.body, 'body');
    const replies = await engine.handle(toInbound(body, now()));
    res.json({ replies });
  });

  router.get('/api/users/:id/inbox', async (req, res) => {
    const user = parseOr400(userId, req.params.id, 'user id');
    const { limit, before, channel } = parseOr400(inboxQuery, req.query, 'query');
    const items = await inbox.list(channel, user, { limit, before });
    res.json({ items, next: items.length === limit ? items.at(-1)!.id : null });
  });

  return router;
}

function toInbound(body: z.infer<typeof chatBody>, time: Date): Inbound {
  const base = { channel: API_CHANNEL, user: body.user, time };
  if (body.text !== undefined) return { ...base, kind: 'text', text: body.text };
  if (body.event === 'click' && !body.key)
    throw new HttpError(400, 'key: is required for a click event');
  const event =
    body.event === 'subscribe' ? 'follow' : body.event === 'unsubscribe' ? 'unfollow' : 'click';
  return { ...base, kind: 'event', event, key: body.key };
}
