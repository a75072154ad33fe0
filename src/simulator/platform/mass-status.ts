import { OK, bodyOf, integerField, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { MassStore } from './mass-store.ts';

/** Speed levels 0 to 4, in messages a minute. */
export const MASS_SPEEDS = [800_000, 600_000, 450_000, 300_000, 100_000] as const;
export const DEFAULT_SPEED = 0;

/** The messages a minute a new job goes at. */
export async function currentRate(store: MassStore): Promise<number> {
  const level = (await store.setting('mass_speed')) ?? DEFAULT_SPEED;
  return MASS_SPEEDS[level] ?? MASS_SPEEDS[DEFAULT_SPEED];
}

/** `message/mass/get|delete` and `message/mass/speed/get|set`. */
export function massStatusApi(store: MassStore, stopDelivery: (msgId: number) => void): ApiTable {
  async function job(body: Json) {
    const msgId = integerField(body, 'msg_id', 40059);
    const found = await store.get(msgId);
    if (!found) throw new PlatformError(40059, `no mass job has msg_id ${msgId}`);
    return found;
  }
  return {
    'message/mass/get': {
      token: true,
      body: true,
      async handle(request) {
        const found = await job(bodyOf(request));
        return { msg_id: found.msgId, msg_status: found.status };
      },
    },
    'message/mass/delete': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const found = await job(body);
        if (body.article_idx !== undefined) {
          const idx = integerField(body, 'article_idx', 40060);
          const articles = found.message.msgtype === 'text' ? 0 : found.message.articles.length;
          // 0 deletes the whole job; 1 to n one article of it.
          if (idx < 0 || idx > articles)
            throw new PlatformError(40060, `job ${found.msgId} has no article ${idx}`);
        }
        stopDelivery(found.msgId);
        await store.setStatus(found.msgId, 'DELETE', request.now.getTime());
        return OK;
      },
    },
    'message/mass/speed/get': {
      token: true,
      handle: async () => {
        const level = (await store.setting('mass_speed')) ?? DEFAULT_SPEED;
        // realspeed is in units of 10,000 a minute.
        return { speed: level, realspeed: (MASS_SPEEDS[level] ?? 0) / 10_000 };
      },
    },
    'message/mass/speed/set': {
      token: true,
      body: true,
      async handle(request) {
        const level = bodyOf(request).speed;
        if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 4)
          throw new PlatformError(45083, 'speed must be a level from 0 to 4');
        await store.putSetting('mass_speed', level);
        return OK;
      },
    },
  };
}
