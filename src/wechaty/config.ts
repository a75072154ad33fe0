import { resolve } from 'node:path';
import type { Config } from '../config/config.ts';

/** What the Wechaty channel needs from the configuration. */
export interface WechatyOptions {
  /** The puppet's npm package name (`wechaty-puppet-mock`, `wechaty-puppet-service`, ...). */
  puppet: string;
  /** Handed to the puppet's constructor as they are: tokens, endpoints, whatever it reads. */
  puppetOptions: Record<string, unknown>;
  /** A room message starting with this word is for the bot, as a mention of it is. */
  roomPrefix: string;
  acceptFriends: boolean;
  /** Broadcast pace: at least `intervalMs` plus up to `jitterMs` between two messages. */
  sendIntervalMs: number;
  sendJitterMs: number;
  /**
   * Where Wechaty keeps the login session (`<sessionName>.memory-card.json`), so a restart
   * does not ask for a new QR scan on puppets that can resume. None: kept in memory only.
   */
  sessionName?: string;
}

/** The channel's options, or undefined when `WECHATY_PUPPET=off` (the default). */
export function wechatyOptions(config: Config): WechatyOptions | undefined {
  if (config.WECHATY_PUPPET === 'off') return undefined;
  const token = config.WECHATY_PUPPET_SERVICE_TOKEN;
  return {
    puppet: config.WECHATY_PUPPET,
    puppetOptions: { ...config.WECHATY_PUPPET_OPTIONS, ...(token ? { token } : {}) },
    roomPrefix: config.WECHATY_ROOM_PREFIX,
    acceptFriends: config.WECHATY_ACCEPT_FRIENDS,
    sendIntervalMs: config.WECHATY_SEND_INTERVAL_MS,
    sendJitterMs: config.WECHATY_SEND_JITTER_MS,
    sessionName: resolve(config.DATA_DIR, 'wechaty'),
  };
}
