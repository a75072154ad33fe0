import type Database from 'better-sqlite3';
import express from 'express';
import type { Logger } from '../../log/logger.ts';
import type { ApiTable } from './api.ts';
import { createCallLog, type CallRecord } from './call-log.ts';
import { customSendApi } from './custom-send.ts';
import { createCustomStore } from './custom-store.ts';
import { createDispatch } from './dispatch.ts';
import { PlatformError, failure } from './errcodes.ts';
import { createFaults, type Fault } from './faults.ts';
import { followerApi } from './followers.ts';
import { createMassDelivery } from './mass-delivery.ts';
import { massApi } from './mass-send.ts';
import { createMassStore } from './mass-store.ts';
import { createMedia } from './media.ts';
import { createMediaStore } from './media-store.ts';
import type { MenuButton } from './menu-rules.ts';
import { createMenuStore } from './menu-store.ts';
import { menuApi } from './menus.ts';
import type { PlatformDeps } from './ports.ts';
import { createQuotaStore } from './quota-store.ts';
import { createQuotas, quotaApi } from './quotas.ts';
import { createTags } from './tags.ts';
import { createTagStore } from './tag-store.ts';
import { createTokens } from './tokens.ts';
import { createTokenStore } from './token-store.ts';

/** Mass lists are big (10,000 OpenIDs); nothing the platform takes is bigger than 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface PlatformApi {
  /** Serves `/cgi-bin/...`; mount it at the simulator's root. */
  router: express.Router;
  close(): Promise<void>;
  /** Forgets every token, menu, tag, job and count: a fresh platform. */
  reset(): void;
  /** A summary for the control API and the inspector. */
  state(): Record<string, unknown>;
  /** The next `times` calls of `api` answer `errcode`. */
  inject(fault: Fault): void;
  /** The call log, newest first. */
  calls(options?: { limit?: number; before?: number }): CallRecord[];
  /** The menu users see, or undefined when none is published. */
  publishedMenu(): { buttons: MenuButton[]; publishedAt: Date } | undefined;
  /** Gives a user a tag by name, creating it if need be; answers the tag id. */
  tagUser(openid: string, tagName: string): number;
}

/** The simulated platform's API (`/cgi-bin/...`), over the simulator's own database. */
export function createPlatformApi(
  deps: PlatformDeps & { db: Database.Database; log?: Logger },
): PlatformApi {
  const { db, clock, account } = deps;
  const stores = {
    tokens: createTokenStore(db),
    quota: createQuotaStore(db),
    menu: createMenuStore(db),
    tags: createTagStore(db),
    media: createMediaStore(db),
    custom: createCustomStore(db),
    mass: createMassStore(db),
  };
  const calls = createCallLog(db);
  const faults = createFaults();
  const quotas = createQuotas(stores.quota);
  const tokens = createTokens(stores.tokens, account);
  const tags = createTags(stores.tags, deps.followers);
  const media = createMedia(stores.media);
  const delivery = createMassDelivery({
    db,
    store: stores.mass,
    clock,
    followers: deps.followers,
    timeline: deps.timeline,
    callback: deps.callback,
    events: deps.events,
    accountType: account.type,
    tagMembers: stores.tags.members,
    log: deps.log,
  });

  const apis: ApiTable = {
    ...tokens.api,
    ...quotaApi(stores.quota, account.appId),
    ...menuApi(stores.menu),
    ...followerApi(deps.followers, tags.tagsOf),
    ...tags.api,
    ...media.api,
    ...customSendApi({
      store: stores.custom,
      followers: deps.followers,
      timeline: deps.timeline,
      materialOf: media.messageOf,
    }),
    ...massApi({
      store: stores.mass,
      delivery,
      followers: deps.followers,
      timeline: deps.timeline,
      accountType: account.type,
      tagExists: (id) => stores.tags.byId(id) !== undefined,
      materialOf: media.messageOf,
    }),
  };
  const dispatch = createDispatch({
    apis,
    checkToken: tokens.check,
    faults,
    quotas,
    calls,
    events: deps.events,
  });
  delivery.resume();

  const router = express.Router();
  router.use(
    '/cgi-bin',
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req, res) => {
      const api = req.path.replace(/^\/+|\/+$/g, '');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      res.json(
        await dispatch({
          api,
          method: req.method,
          query: flatQuery(req.query),
          body,
          now: clock.now(),
        }),
      );
    },
  );
  // A body the reader refused (too big, bad encoding) is the platform's "data format error".
  router.use(
    '/cgi-bin',
    (error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const tooBig = (error as { type?: string }).type === 'entity.too.large';
      const reason = tooBig ? 'the body is over 1 MiB' : 'the body could not be read';
      deps.log?.warn({ reason }, 'platform API body refused');
      res.json(failure(new PlatformError(47001, reason), clock.now()));
    },
  );

  const allStores = Object.values(stores);
  return {
    router,
    async close() {
      delivery.close();
    },
    reset() {
      delivery.cancelAll();
      faults.clear();
      db.transaction(() => {
        for (const store of allStores) store.clear();
        calls.clear();
      })();
    },
    state() {
      const now = clock.now();
      return {
        account: { appId: account.appId, type: account.type },
        tokens: stores.tokens.count(),
        menu: stores.menu.get() ?? null,
        tags: stores.tags.all(),
        media: stores.media.count(),
        massSpeed: stores.mass.setting('mass_speed') ?? 0,
        massJobs: stores.mass.recent(20).map(({ target, message: _message, ...job }) => ({
          ...job,
          target: target.kind === 'list' ? { kind: 'list', count: target.openids.length } : target,
        })),
        deliveriesPending: delivery.pending(),
        quota: quotas.usage(now),
        faults: faults.pending(),
      };
    },
    inject: (fault) => faults.inject(fault),
    calls: (options) => calls.page(options),
    publishedMenu: () => stores.menu.get(),
    tagUser: (openid, tagName) => tags.tagUser(openid, tagName),
  };
}

/** Query values as single strings: a repeated key keeps its first value. */
function flatQuery(query: express.Request['query']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') flat[key] = first;
  }
  return flat;
}
