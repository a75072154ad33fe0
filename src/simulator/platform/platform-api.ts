import type Database from 'better-sqlite3';
import type express from 'express';
import type { Logger } from '../../log/logger.ts';
import type { ApiTable } from './api.ts';
import { createCallLog, type CallRecord } from './call-log.ts';
import { customSendApi } from './custom-send.ts';
import { createCustomStore } from './custom-store.ts';
import { createDispatch } from './dispatch.ts';
import { createFaults, type Fault } from './faults.ts';
import { followerApi } from './followers.ts';
import { createMassDelivery } from './mass-delivery.ts';
import { massSendApi } from './mass-send.ts';
import { massStatusApi } from './mass-status.ts';
import { createMassStore, type MassStore } from './mass-store.ts';
import { createMedia } from './media.ts';
import { createMediaStore } from './media-store.ts';
import type { MenuButton } from './menu-rules.ts';
import { createMenuStore } from './menu-store.ts';
import { menuApi } from './menus.ts';
import { platformRouter } from './platform-router.ts';
import type { PlatformDeps } from './ports.ts';
import { createQuotaStore } from './quota-store.ts';
import { createQuotas, quotaApi } from './quotas.ts';
import { createTags } from './tags.ts';
import { createTagStore } from './tag-store.ts';
import { createTokens } from './tokens.ts';
import { createTokenStore } from './token-store.ts';

export { MAX_BODY_BYTES } from './platform-router.ts';

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
  /** Gives a user a tag by name, creating it if need be; answers the tag id. Throws PlatformError. */
  tagUser(openid: string, tagName: string): number;
}

type Deps = PlatformDeps & { db: Database.Database; log?: Logger };

/** The platform's tables, each created by its store. */
function openStores(db: Database.Database) {
  return {
    tokens: createTokenStore(db),
    quota: createQuotaStore(db),
    menu: createMenuStore(db),
    tags: createTagStore(db),
    media: createMediaStore(db),
    custom: createCustomStore(db),
    mass: createMassStore(db),
    calls: createCallLog(db),
  };
}
type Stores = ReturnType<typeof openStores>;

/** The simulated platform's API (`/cgi-bin/...`), over the simulator's own database. */
export function createPlatformApi(deps: Deps): PlatformApi {
  const { db, clock, account } = deps;
  const stores = openStores(db);
  const faults = createFaults((name) => Object.hasOwn(apis, name));
  const quotas = createQuotas(stores.quota);
  const tokens = createTokens(stores.tokens, account);
  const tags = createTags(stores.tags, deps.followers);
  const delivery = createMassDelivery({
    ...deps,
    store: stores.mass,
    accountType: account.type,
    tagMembers: stores.tags.members,
  });
  const apis: ApiTable = {
    ...tokens.api,
    ...quotaApi(stores.quota, account.appId),
    ...tags.api,
    ...followerApi(deps.followers, tags.tagsOf),
    ...mediaAndMessageApis(deps, stores, delivery),
  };
  const dispatch = createDispatch({
    apis,
    checkToken: tokens.check,
    faults,
    quotas,
    calls: stores.calls,
    events: deps.events,
  });
  delivery.resume();

  return {
    router: platformRouter(dispatch, clock, deps.log),
    async close() {
      delivery.close();
    },
    reset() {
      delivery.cancelAll();
      faults.clear();
      db.transaction(() => Object.values(stores).forEach((store) => store.clear()))();
    },
    state: () => ({
      account: { appId: account.appId, type: account.type },
      tokens: stores.tokens.count(),
      menu: stores.menu.get() ?? null,
      tags: stores.tags.all(),
      media: stores.media.count(),
      massSpeed: stores.mass.setting('mass_speed') ?? 0,
      massJobs: jobSummaries(stores.mass),
      deliveriesPending: delivery.pending(),
      quota: quotas.usage(clock.now()),
      faults: faults.pending(),
    }),
    inject: (fault) => faults.inject(fault),
    calls: (options) => stores.calls.page(options),
    publishedMenu: () => stores.menu.get(),
    tagUser: (openid, tagName) => tags.tagUser(openid, tagName),
  };
}

/** Menus, material, customer-service and mass messages. */
function mediaAndMessageApis(
  deps: Deps,
  stores: Stores,
  delivery: ReturnType<typeof createMassDelivery>,
): ApiTable {
  const media = createMedia(stores.media);
  return {
    ...menuApi(stores.menu, deps.events),
    ...media.api,
    ...customSendApi({
      store: stores.custom,
      followers: deps.followers,
      timeline: deps.timeline,
      materialOf: media.messageOf,
    }),
    ...massStatusApi(stores.mass, delivery.stop),
    ...massSendApi({
      store: stores.mass,
      delivery,
      followers: deps.followers,
      timeline: deps.timeline,
      accountType: deps.account.type,
      tagExists: (id) => stores.tags.byId(id) !== undefined,
      materialOf: media.messageOf,
    }),
  };
}

/** The latest jobs without their message or OpenID lists: the state stays small. */
function jobSummaries(store: MassStore) {
  return store.recent(20).map(({ target, message: _message, ...job }) => ({
    ...job,
    target: target.kind === 'list' ? { kind: 'list', count: target.openids.length } : target,
  }));
}
