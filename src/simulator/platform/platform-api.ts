import type express from 'express';
import type { Logger } from '../../log/logger.ts';
import type { ApiTable } from './api.ts';
import type { CallRecord } from './call-log.ts';
import { customSendApi } from './custom-send.ts';
import { createDispatch } from './dispatch.ts';
import { createFaults, type Fault } from './faults.ts';
import { followerApi } from './followers.ts';
import { createMassDelivery } from './mass-delivery.ts';
import { massSendApi } from './mass-send.ts';
import { massStatusApi } from './mass-status.ts';
import type { MassStore } from './mass-store.ts';
import { createMedia } from './media.ts';
import type { MenuButton } from './menu-rules.ts';
import { menuApi } from './menus.ts';
import { platformRouter } from './platform-router.ts';
import type { PlatformStores } from './platform-stores.ts';
import type { PlatformDeps } from './ports.ts';
import { createQuotas, quotaApi } from './quotas.ts';
import { createTags } from './tags.ts';
import { createTokens } from './tokens.ts';

export { MAX_BODY_BYTES } from './platform-router.ts';

export interface PlatformApi {
  /** Serves `/cgi-bin/...`; mount it at the simulator's root. */
  router: express.Router;
  close(): Promise<void>;
  /** Forgets every token, menu, tag, job and count: a fresh platform. */
  reset(): Promise<void>;
  /** A summary for the control API and the inspector. */
  state(): Promise<Record<string, unknown>>;
  /** The next `times` calls of `api` answer `errcode`. */
  inject(fault: Fault): void;
  /** The call log, newest first. */
  calls(options?: { limit?: number; before?: number }): Promise<CallRecord[]>;
  /** The menu users see, or undefined when none is published. */
  publishedMenu(): Promise<{ buttons: MenuButton[]; publishedAt: Date } | undefined>;
  /** Gives a user a tag by name, creating it if need be; answers the tag id. Throws PlatformError. */
  tagUser(openid: string, tagName: string): Promise<number>;
}

type Deps = PlatformDeps & { stores: PlatformStores; log?: Logger };
type Stores = PlatformStores;

/** The simulated platform's API (`/cgi-bin/...`), over the simulator's own database. */
export async function createPlatformApi(deps: Deps): Promise<PlatformApi> {
  const { stores, clock, account } = deps;
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
  await delivery.resume();

  return {
    router: platformRouter(dispatch, clock, deps.log),
    async close() {
      delivery.close();
    },
    async reset() {
      delivery.cancelAll();
      faults.clear();
      await deps.atomically(async () => {
        for (const store of Object.values(stores)) await store.clear();
      });
    },
    state: async () => ({
      account: { appId: account.appId, type: account.type },
      tokens: await stores.tokens.count(),
      menu: (await stores.menu.get()) ?? null,
      tags: await stores.tags.all(),
      media: await stores.media.count(),
      massSpeed: (await stores.mass.setting('mass_speed')) ?? 0,
      massJobs: await jobSummaries(stores.mass),
      deliveriesPending: delivery.pending(),
      quota: await quotas.usage(clock.now()),
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
      tagExists: async (id) => (await stores.tags.byId(id)) !== undefined,
      materialOf: media.messageOf,
    }),
  };
}

/** The latest jobs without their message or OpenID lists: the state stays small. */
async function jobSummaries(store: MassStore) {
  return (await store.recent(20)).map(({ target, message: _message, ...job }) => ({
    ...job,
    target: target.kind === 'list' ? { kind: 'list', count: target.openids.length } : target,
  }));
}
