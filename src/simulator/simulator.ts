import { createHash } from 'node:crypto';
import { join } from 'node:path';
import express, { type Express, type Router } from 'express';
import type { VirtualClock } from '../clock/clock.ts';
import { createVirtualClock } from '../clock/virtual-clock.ts';
import type { Logger } from '../log/logger.ts';
import { createActions } from './actions/act.ts';
import { createCallbackClient } from './callback/callback-client.ts';
import type { CallbackTarget } from './callback/target.ts';
import { controlRoutes } from './control/control-routes.ts';
import { createPlatformApi, type PlatformApi } from './platform/platform-api.ts';
import type { CallbackPoster } from './platform/ports.ts';
import { offloadCheckpoints } from './store/checkpoints.ts';
import { openSimDatabase, SIM_DATABASE_FILE } from './store/sim-database.ts';
import { createTimelineStore } from './store/timeline-store.ts';
import { createUserStore } from './store/user-store.ts';
import { createEventHub } from './timeline/event-hub.ts';
import { createTimeline } from './timeline/timeline.ts';
import { createUsers } from './users/users.ts';

export interface SimulatorOptions {
  /** Where `simulator.db` lives. */
  dataDir: string;
  /** The account's callback; `originalId` defaults to one derived from the AppID. */
  target: Omit<CallbackTarget, 'originalId'> & { originalId?: string };
  /** The hosted account as the platform knows it: what its API client must present. */
  account: { appId: string; appSecret: string; type: 'subscription' | 'service' };
  /** The shared clock; a fresh one over real time when absent. */
  clock?: VirtualClock;
  /** The control API's Bearer token; without one only this machine may use it. */
  token?: string;
  log?: Logger;
}

export interface Simulator {
  /** Serves `/cgi-bin/...` (the platform API) and `/sim/api/...` (the control API). */
  app: Express;
  /** The same routes, to mount on another app at its root. */
  router: Router;
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
export function createSimulator(options: SimulatorOptions): Simulator {
  const { log } = options;
  const clock =
    options.clock ??
    createVirtualClock({ onError: (err) => log?.error({ err }, 'simulator timer failed') });
  const target: CallbackTarget = {
    ...options.target,
    originalId: options.target.originalId ?? originalIdFor(options.target.appId),
  };
  const db = openSimDatabase(options.dataDir);
  const checkpoints = offloadCheckpoints(db, join(options.dataDir, SIM_DATABASE_FILE), log);
  const userStore = createUserStore(db);
  const timelineStore = createTimelineStore(db);
  const events = createEventHub();
  const users = createUsers({ store: userStore, clock });
  const timeline = createTimeline({ store: timelineStore, clock, events });
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
  const platform = createPlatformApi({
    db,
    clock,
    followers: users,
    timeline,
    callback: poster,
    events,
    account: options.account,
    log,
  });
  const inTransaction = db.transaction((work: () => unknown) => work());
  const act = createActions({
    users,
    timeline,
    callback,
    clock,
    publishedMenu: () => platform.publishedMenu(),
    canEncrypt: target.aesKey !== undefined,
    atomically: <T>(work: () => T) => inTransaction(work) as T,
  });
  const stopTravelEvents = clock.onTravel(({ from, to }) =>
    events.emit('clock', { from: from.toISOString(), to: to.toISOString() }),
  );
  const reset = () => {
    platform.reset();
    callback.reset();
    db.transaction(() => {
      timelineStore.clear();
      userStore.clear();
    })();
    events.emit('reset', { at: clock.now().toISOString() });
  };

  const router = express.Router();
  router.use(
    '/sim/api',
    controlRoutes({ ...options, users, timeline, act, clock, events, platform, callback, reset }),
  );
  router.use(platform.router);
  const app = express();
  app.disable('x-powered-by');
  app.use(router);

  return {
    app,
    router,
    clock,
    platform,
    async close() {
      stopTravelEvents();
      events.close();
      await platform.close();
      await checkpoints.close();
      db.close();
    },
  };
}
