import type { Access } from '../../web/access.ts';
import express, { type Request, type Router } from 'express';
import type { z } from 'zod';
import { ClockBackwardsError } from '../../clock/virtual-clock.ts';
import type { VirtualClock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { actionSchema, type Action } from '../actions/action-schema.ts';
import { ActionRefused, type ActionResult } from '../actions/act.ts';
import type { CallbackClient } from '../callback/callback-client.ts';
import type { PlatformApi } from '../platform/platform-api.ts';
import { timelineToScript } from '../scripts/timeline-to-script.ts';
import type { TimelineItem } from '../store/timeline-store.ts';
import type { SimUser } from '../store/user-store.ts';
import { MAX_TIMELINE_PAGE, type Timeline } from '../timeline/timeline.ts';
import type { createEventHub } from '../timeline/event-hub.ts';
import type { Users } from '../users/users.ts';
import { ControlError, controlErrors } from './control-error.ts';
import { loadRoutes } from './load-routes.ts';
import {
  clockSchema,
  createUsersSchema,
  durationMs,
  faultSchema,
  pageSchema,
} from './control-schemas.ts';

export const MAX_CONTROL_BODY = '64kb';
/** Calls of the account the platform state shows. */
const RECENT_CALLS = 50;

export interface ControlDeps {
  access: Access;
  users: Users;
  timeline: Timeline;
  act(openid: string, action: Action, known?: SimUser): Promise<ActionResult>;
  clock: VirtualClock;
  events: ReturnType<typeof createEventHub>;
  platform: PlatformApi;
  callback: CallbackClient;
  reset(): Promise<void>;
  /** The account as the phone shows it: its name, original id and callback mode. */
  account: { name: string; originalId: string; encryptMode: string };
  log?: Logger;
}

const parse = <T extends z.ZodType>(schema: T, value: unknown): z.output<T> => schema.parse(value);

/** `/sim/api`: users, actions, timelines, the clock, faults, the live stream. */
export function controlRoutes(deps: ControlDeps): Router {
  const { users, timeline, clock, events, platform, callback } = deps;
  const router = express.Router();
  router.use(deps.access.api);
  // Before the 64 KiB parser: a load may list 10,000 OpenIDs.
  router.use('/load', loadRoutes({ users, act: deps.act, events }));
  router.use(express.json({ limit: MAX_CONTROL_BODY, strict: false }));

  const userOf = async (req: Request) => {
    const openid = String(req.params.openid);
    const user = await users.get(openid);
    if (!user) throw new ControlError(404, `no user ${openid.slice(0, 64)}`);
    return user;
  };

  router.post('/users', async (req, res) => {
    const body = parse(createUsersSchema, req.body);
    if ('count' in body) {
      const { openids, created } = await users.populate(body);
      return res.status(201).json({ created, openids });
    }
    const user = await users.create(body);
    try {
      for (const tag of body.tags ?? []) await platform.tagUser(user.openid, tag);
    } catch (error) {
      const said = error instanceof Error ? error.message : 'refused';
      throw new ControlError(400, `the user was created, but a tag was refused: ${said}`);
    }
    return res.status(201).json({ user });
  });
  router.get('/users', async (req, res) => {
    const { limit, after } = parse(pageSchema, req.query);
    const { total, users: page } = await users.list(after, limit);
    res.json({ total, users: page, next: page.length === limit ? page.at(-1)?.openid : null });
  });
  router.get('/users/:openid', async (req, res) => void res.json({ user: await userOf(req) }));
  router.post('/users/:openid/actions', async (req, res) => {
    const user = await userOf(req);
    const action = parse(actionSchema, req.body);
    try {
      res.json(await deps.act(user.openid, action, user));
    } catch (error) {
      if (error instanceof ActionRefused) throw new ControlError(error.status, error.message);
      throw error;
    }
  });
  router.get('/users/:openid/timeline', async (req, res) => {
    const user = await userOf(req);
    const { limit, before } = parse(pageSchema, req.query);
    const items = await timeline.page(user.openid, limit, before);
    res.json({ items, next: items.length === limit ? items.at(-1)?.id : null });
  });
  // One item with its raw exchange: the inspector's deep link, and a live item's details.
  router.get('/users/:openid/timeline/:id', async (req, res) => {
    const user = await userOf(req);
    const id = Number(req.params.id);
    const item = Number.isSafeInteger(id) && id > 0 ? await timeline.item(id) : undefined;
    if (!item || item.openid !== user.openid)
      throw new ControlError(404, `no item ${String(req.params.id).slice(0, 20)} on this timeline`);
    res.json({ item });
  });

  // A session clicked through by hand, as a conversation script: a regression test.
  router.get('/users/:openid/script', async (req, res) => {
    const user = await userOf(req);
    const items: TimelineItem[] = [];
    for (let before: number | undefined; items.length < MAX_SCRIPT_ITEMS;) {
      const page = await timeline.page(user.openid, MAX_TIMELINE_PAGE, before);
      items.push(...page);
      if (page.length < MAX_TIMELINE_PAGE) break;
      before = page.at(-1)!.id;
    }
    const name = `${user.nickname}'s conversation`;
    res
      .type('text/yaml; charset=utf-8')
      .send(timelineToScript(items.reverse(), { name, user: scriptUserName(user.nickname) }));
  });

  router.get('/events', (_req, res) => events.subscribe(res));

  router.get('/clock', (_req, res) => void res.json({ now: clock.now().toISOString() }));
  router.post('/clock', async (req, res) => {
    const body = parse(clockSchema, req.body);
    try {
      const window =
        'advance' in body
          ? await clock.advance(durationMs(body.advance)!)
          : await clock.travelTo(new Date(body.to));
      res.json({ now: window.to.toISOString(), from: window.from.toISOString() });
    } catch (error) {
      if (error instanceof ClockBackwardsError) throw new ControlError(409, error.message);
      throw error;
    }
  });

  router.post('/faults', async (req, res) => {
    const fault = parse(faultSchema, req.body);
    if ('callback' in fault) callback.inject(fault.callback);
    else platform.inject(fault);
    res.status(201).json({ faults: await faultState() });
  });
  const faultState = async () => ({
    api: ((await platform.state()).faults as unknown[] | undefined) ?? [],
    callback: callback.pendingFaults(),
  });

  router.get('/platform', async (_req, res) => {
    const counts = (await users.list(undefined, 1)).total;
    const state = await platform.state();
    res.json({
      ...state,
      account: { ...(state.account as object), ...deps.account },
      calls: await platform.calls({ limit: RECENT_CALLS }),
      simulator: {
        now: clock.now().toISOString(),
        users: counts,
        followers: (await users.page(undefined, 0)).total,
        callbackFaults: callback.pendingFaults(),
        streams: events.clients(),
      },
    });
  });
  router.post('/reset', async (_req, res) => {
    await deps.reset();
    res.json({ reset: true });
  });

  router.use((req, _res) => {
    throw new ControlError(404, `no control API at ${req.method} ${req.path.slice(0, 100)}`);
  });
  router.use(controlErrors(deps.log));
  return router;
}

/** A script holds at most this many timeline items (the newest are kept). */
const MAX_SCRIPT_ITEMS = 5_000;

/** A user name a script accepts: a letter, then letters, digits, `_` or `-`. */
function scriptUserName(nickname: string): string {
  const name = nickname.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return /^[A-Za-z]/.test(name) ? name : `user${name}`.slice(0, 32);
}
