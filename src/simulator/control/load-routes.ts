import express, { type Router } from 'express';
import type { Action } from '../actions/action-schema.ts';
import type { ActionResult } from '../actions/act.ts';
import { startLoad, type LoadReport, type LoadRun } from '../actions/load-run.ts';
import type { EventSink } from '../platform/ports.ts';
import type { Users } from '../users/users.ts';
import { ControlError } from './control-error.ts';
import { loadSchema, MAX_LOAD_BODY, type LoadBody } from './load-schema.ts';

interface LoadDeps {
  users: Users;
  act(openid: string, action: Action): Promise<ActionResult>;
  events: EventSink;
}

/**
 * `/sim/api/load`: many simulated users talking to the account at once, one load at a
 * time. `POST` runs one and answers its report when it is over (or at once with
 * `detach`); `GET` shows the one under way or the last; `DELETE` stops it.
 */
export function loadRoutes({ users, act, events }: LoadDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: MAX_LOAD_BODY, strict: false }));
  let current: LoadRun | undefined;

  router.post('/', async (req, res) => {
    const body = loadSchema.parse(req.body);
    // Read before the check: nothing awaits between the check and the start.
    const openids = await openidsOf(body, users);
    if (current?.report().state === 'running')
      throw new ControlError(
        409,
        `a load is under way since ${current.report().startedAt}: wait for it, or DELETE /sim/api/load`,
      );
    const run = startLoad(
      {
        openids,
        texts: typeof body.text === 'string' ? [body.text] : body.text,
        concurrency: body.concurrency,
        ...(body.conversations !== undefined && { conversations: body.conversations }),
        ...(body.seconds !== undefined && { seconds: body.seconds }),
      },
      act,
      (report) => events.emit('load', { ...report }),
    );
    current = run;
    if (body.detach) return void res.status(202).json({ load: run.report() });
    res.json({ load: await run.done });
  });
  router.get('/', (_req, res) => {
    if (!current) throw new ControlError(404, 'no load has run since the simulator started');
    res.json({ load: current.report() });
  });
  router.delete('/', async (_req, res) => {
    if (current?.report().state !== 'running') throw new ControlError(409, 'no load is under way');
    current.stop('stopped by DELETE /sim/api/load');
    res.json({ load: await current.done });
  });
  return router;
}

/** The users a load names, each following the account. */
async function openidsOf(body: LoadBody, users: Users): Promise<string[]> {
  if (typeof body.users === 'number') {
    const { total, openids } = await users.page(undefined, body.users);
    if (openids.length < body.users)
      throw new ControlError(
        409,
        `only ${total} simulated users follow the account, not ${body.users}: create and follow more, or ask for fewer`,
      );
    return openids;
  }
  for (const openid of body.users) {
    const user = await users.get(openid);
    if (!user) throw new ControlError(404, `no user ${openid}`);
    if (!user.subscribed)
      throw new ControlError(
        409,
        `${user.nickname} (${openid}) does not follow the account: follow first`,
      );
  }
  return body.users;
}

export type { LoadReport };
