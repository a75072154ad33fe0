import { createHash } from 'node:crypto';
import express, { type Express, type Router } from 'express';
import type { VirtualClock } from '../clock/clock.ts';
import { createVirtualClock } from '../clock/virtual-clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Access } from '../web/access.ts';
import { createActions } from './actions/act.ts';
import { createCallbackClient } from './callback/callback-client.ts';
import type { CallbackTarget } from './callback/target.ts';
import { controlAccess } from './control/control-auth.ts';
import { controlRoutes } from './control/control-routes.ts';
import { createPlatformApi, type PlatformApi } from './platform/platform-api.ts';
import type { CallbackPoster } from './platform/ports.ts';
import { openSimStorage } from './store/open-sim-storage.ts';
import { createEventHub } from './timeline/event-hub.ts';
import { createTimeline } from './timeline/timeline.ts';
import { createUsers } from './users/users.ts';
import { loginRoutes } from '../web/login-routes.ts';
import { phoneRoutes } from './web/phone-routes.ts';

export interface SimulatorOptions {
  /** Where `simulator.db` lives. */
  dataDir: string;
  /** PostgreSQL for the simulator's state instead of `simulator.db` (a secret: never logged). */
  databaseUrl?: string;
  /** The account's callback; `originalId` defaults to one derived from the AppID. */
  target: Omit<CallbackTarget, 'originalId'> & { originalId?: string };
  /** The hosted account as the platform knows it: what its API client must present. */
  account: { appId: string; appSecret: string; type: 'subscription' | 'service'; name?: string };
  /** The shared clock; a fresh one over real time when absent. */
  clock?: VirtualClock;
  /** The control API's Bearer token (and the phone page's sign-in); without one, no way in. */
  token?: string;
  /**
   * The session cookie's name: the account's own when hosted (one sign-in opens both),
   * `oasim_sim_session` alone (cookies ignore the port, so two servers on one host differ).
   */
  sessionCookie?: string;
  /** What the sign-in form says it opens: `oasim` hosted, the simulated platform alone. */
  siteName?: string;
  log?: Logger;
}

export interface Simulator {
  /** Serves `/cgi-bin/...` (the platform API) and `/sim/api/...` (the control API). */
  app: Express;
  /** The same routes, to mount on another app at its root. */
  router: Router;
  /** Who may use the control API and the pages (a Bearer token or a signed-in browser). */
  access: Access;
  clock: VirtualClock;
  platform: PlatformApi;
  close(): Promise<void>;
}

/** A stable `gh_` + 12 hex original id for an AppID, so restarts keep it. */
export function originalIdFor(appId: string): string {
  return `gh_${createHash('sha256').update(appId).digest('hex').slice(0, 12)}`;
}

/**
 * The simulated WeChat platform: users who follow and chat with an account over its
 * callback, and the API the account calls. It shares nothing with the account but the
 * wire codecs and the clock.
 */
export async function createSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { log } = options;
  const clock =
    options.clock ??
    createVirtualClock({ onError: (err) => log?.error({ err }, 'simulator timer failed') });
  const target: CallbackTarget = {
    ...options.target,
    originalId: options.target.originalId ?? originalIdFor(options.target.appId),
  };
  const storage = await openSimStorage({ ...options, log });
  const events = createEventHub();
  const users = createUsers({ store: storage.users, clock });
  const timeline = createTimeline({ store: storage.timeline, clock, events });
  const callback = createCallbackClient({ target, clock });
  const poster: CallbackPoster = {
    async postEvent(fields) {
      const from =
        typeof fields.FromUserName === 'string' ? fields.FromUserName : target.originalId;
      const { ToUserName: _to, FromUserName: _from, ...rest } = fields;
      const exchange = await callback.deliver(from, rest, {
        isEvent: true,
      });
      events.emit('platform-event', {
        event: typeof fields.Event === 'string' ? fields.Event : 'event',
        outcome: exchange.verdict.outcome,
        tries: exchange.tries.length,
      });
    },
  };
  // Commits shared by the writes of one event-loop turn on SQLite (see write-batch.ts).
  storage.onCommitError((err) =>
    log?.error({ err }, "the simulator's database refused a commit; that moment's writes are lost"),
  );
  const atomically = <T>(work: () => Promise<T>) => storage.atomically(work);
  const platform = await createPlatformApi({
    stores: storage.platform,
    atomically,
    savepoint: (work) => storage.savepoint(work),
    clock,
    followers: users,
    timeline,
    callback: poster,
    events,
    account: options.account,
    log,
  });
  const act = createActions({
    users,
    timeline,
    callback,
    clock,
    publishedMenu: () => platform.publishedMenu(),
    canEncrypt: target.aesKey !== undefined,
    atomically,
  });
  const stopTravelEvents = clock.onTravel(({ from, to }) =>
    events.emit('clock', { from: from.toISOString(), to: to.toISOString() }),
  );
  const reset = async () => {
    await platform.reset();
    callback.reset();
    await atomically(async () => {
      await storage.timeline.clear();
      await storage.users.clear();
    });
    events.emit('reset', { at: clock.now().toISOString() });
  };

  const access = controlAccess(options.token, options.sessionCookie ?? 'oasim_sim_session');
  const router = express.Router();
  router.use(
    '/sim/api',
    controlRoutes({
      ...{ users, timeline, act, clock, events, platform, callback, reset, access, log },
      account: {
        name: options.account.name ?? 'Official Account',
        originalId: target.originalId,
        encryptMode: target.encryptMode,
      },
    }),
  );
  router.use(platform.router);
  // The phone page and its sign-in: hosted, these answer `/` and `/login` before the
  // account's own (same token, same cookie); alone, they are the simulator's way in.
  const siteName = options.siteName ?? 'the simulated WeChat platform';
  router.use(phoneRoutes(access, `Phone · ${siteName}`));
  router.use(loginRoutes(access, siteName));
  const app = express();
  app.disable('x-powered-by');
  app.use(router);

  return {
    app,
    router,
    access,
    clock,
    platform,
    async close() {
      stopTravelEvents();
      events.close();
      await platform.close();
      await storage.close();
    },
  };
}
