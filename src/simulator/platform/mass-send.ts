import { bodyOf, integerField, objectField, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { createMassDelivery } from './mass-delivery.ts';
import { checkAccountQuota, checkClientMsgId, massMessage } from './mass-rules.ts';
import { currentRate } from './mass-status.ts';
import type { MassStore, MassTarget } from './mass-store.ts';
import type { FollowerDirectory, PlatformMessage, TimelineWriter } from './ports.ts';

/** `mass/send` takes 2 to 10,000 OpenIDs. */
export const MASS_SEND_LIST = { min: 2, max: 10_000 } as const;

export interface MassDeps {
  store: MassStore;
  delivery: ReturnType<typeof createMassDelivery>;
  followers: FollowerDirectory;
  timeline: TimelineWriter;
  accountType: 'subscription' | 'service';
  tagExists(tagId: number): Promise<boolean>;
  materialOf(mediaId: unknown): Promise<PlatformMessage>;
}

/** `message/mass/sendall|send|preview`: jobs accepted here, delivered on the clock. */
export function massSendApi(deps: MassDeps): ApiTable {
  const { store } = deps;

  /** Checks in the platform's order, then one job row and its first chunk scheduled. */
  async function accept(api: string, body: Json, target: MassTarget, now: Date): Promise<Json> {
    const message = await massMessage(body, deps.materialOf);
    const clientMsgId = await checkClientMsgId(store, body.clientmsgid, now.getTime());
    await checkAccountQuota(store, deps.accountType, now.getTime());
    const msgId = await store.nextMsgId();
    const msgDataId = message.msgtype === 'mpnews' ? msgId + 1_000_000_000 : null;
    const createdAt = now.getTime();
    const rate = await currentRate(store);
    await store.insert({ msgId, msgDataId, api, target, message, clientMsgId, createdAt, rate });
    deps.delivery.start((await store.get(msgId))!);
    return {
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: msgId,
      ...(msgDataId === null ? {} : { msg_data_id: msgDataId }),
    };
  }

  return {
    'message/mass/sendall': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const filter = objectField(body, 'filter');
        if (filter.is_to_all === true || filter.is_to_all === 'true')
          return accept('mass/sendall', body, { kind: 'all' }, request.now);
        const tagId = integerField(filter, 'tag_id', 45159);
        if (!(await deps.tagExists(tagId)))
          throw new PlatformError(45159, `no tag has id ${tagId}`);
        return accept('mass/sendall', body, { kind: 'tag', tagId }, request.now);
      },
    },
    'message/mass/send': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        return accept(
          'mass/send',
          body,
          { kind: 'list', openids: openidList(body.touser) },
          request.now,
        );
      },
    },
    'message/mass/preview': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const touser = body.touser;
        if (typeof touser !== 'string' || !touser)
          throw new PlatformError(40003, 'preview names no touser');
        const follower = await deps.followers.get(touser);
        if (!follower) throw new PlatformError(40003, `${touser} is not a user of this account`);
        if (!follower.subscribed)
          throw new PlatformError(43004, `${touser} does not follow the account`);
        const message = await massMessage(body, deps.materialOf);
        const msgId = await store.nextMsgId();
        await deps.timeline.append(touser, {
          source: 'preview',
          message,
          msgId: String(msgId),
          record: { api: 'message/mass/preview', msg_id: msgId },
        });
        return { errcode: 0, errmsg: 'preview success', msg_id: msgId };
      },
    },
  };
}

/** `touser` of mass/send: 2 to 10,000 different OpenIDs (40130 under, 40032 over). */
function openidList(touser: unknown): string[] {
  if (!Array.isArray(touser)) throw new PlatformError(47001, 'touser must be a list of OpenIDs');
  if (touser.some((openid) => typeof openid !== 'string' || !openid))
    throw new PlatformError(40003, 'touser holds something that is not an OpenID');
  const openids = [...new Set(touser as string[])];
  if (openids.length < MASS_SEND_LIST.min)
    throw new PlatformError(40130, 'mass/send needs at least 2 different OpenIDs');
  if (openids.length > MASS_SEND_LIST.max)
    throw new PlatformError(40032, 'mass/send takes at most 10,000 OpenIDs');
  return openids;
}
