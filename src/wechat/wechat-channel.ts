import type { ChannelSender } from '../broadcast/channel-sender.ts';
import type { Config } from '../config/config.ts';
import { WECHAT_DEV_TOKEN } from '../config/wechat-config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../log/logger.ts';
import type { Storage } from '../store/storage.ts';
import type { WriteBehind } from '../store/write-behind.ts';
import { createWechatApiClient, WECHAT_PLATFORM_API, type WechatApiClient } from './api-client.ts';
import { createCallbackDedup } from './callback-dedup.ts';
import {
  wechatCallbackRoutes,
  type CallbackOptions,
  type MountCallback,
} from './callback-routes.ts';
import { decodeAesKey } from '../wire/crypto.ts';
import { createWechatSender } from './wechat-sender.ts';

/** The WeChat Official Account channel, as far as it is configured. */
export interface WechatChannel {
  /** Mounts `GET/POST /wechat`; undefined when no token is configured (production without WECHAT_TOKEN). */
  mount?: MountCallback;
  /** The platform's API; undefined without WECHAT_APPID and WECHAT_APPSECRET. */
  client?: WechatApiClient;
  /** The broadcast dispatcher's port to WeChat; there whenever the client is. */
  sender?: ChannelSender;
}

/**
 * Builds the channel from the configuration. Outside production, an unset WECHAT_TOKEN
 * means the documented development token and an unset WECHAT_API_BASE means this
 * service's own address (where the simulated platform serves `/cgi-bin`); in production
 * neither has a default but the real platform's address.
 */
export function createWechatChannel(
  config: Config,
  {
    storage,
    writes,
    engine,
    log,
    now,
    selfUrl,
    onMassSendFinished,
  }: {
    storage: Storage;
    /** SQLite: the queue the retry records trail their answers through. */
    writes?: WriteBehind;
    engine: Pick<Engine, 'handle'>;
    log: Logger;
    now?: () => Date;
    /** The service's own address, known once it listens. */
    selfUrl: () => string;
    onMassSendFinished?: CallbackOptions['onMassSendFinished'];
  },
): WechatChannel {
  const production = config.NODE_ENV === 'production';
  const client =
    config.WECHAT_APPID && config.WECHAT_APPSECRET
      ? createWechatApiClient({
          baseUrl: config.WECHAT_API_BASE
            ? config.WECHAT_API_BASE.replace(/\/$/, '')
            : production
              ? WECHAT_PLATFORM_API
              : selfUrl,
          appId: config.WECHAT_APPID,
          appSecret: config.WECHAT_APPSECRET,
          log,
          // The token's lifetime is counted on the service's clock, which may travel.
          ...(now && { now: () => now().getTime() }),
        })
      : undefined;
  const token = config.WECHAT_TOKEN ?? (production ? undefined : WECHAT_DEV_TOKEN);
  if (!token) log.warn('WeChat callback off: set WECHAT_TOKEN to serve /wechat');
  else if (!config.WECHAT_TOKEN)
    log.info('WeChat callback uses the development token (set WECHAT_TOKEN for a real account)');

  const replyBudgetMs = config.WECHAT_REPLY_BUDGET_MS;
  const mount =
    token &&
    wechatCallbackRoutes({
      engine,
      dedup: createCallbackDedup(storage, { writes }),
      settings: {
        token,
        mode: config.WECHAT_ENCRYPT_MODE,
        appId: config.WECHAT_APPID,
        aesKeys: [config.WECHAT_AES_KEY, config.WECHAT_AES_KEY_PREVIOUS]
          .filter((key): key is string => Boolean(key))
          .map(decodeAesKey),
        maxClockSkewS: config.WECHAT_MAX_CLOCK_SKEW_S,
        replyBudgetMs,
      },
      client,
      log,
      now,
      onMassSendFinished,
    });
  return { mount: mount || undefined, client, sender: client && createWechatSender(client) };
}
