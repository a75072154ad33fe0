import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { createSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import type { ActionResult } from '../../src/simulator/actions/act.ts';
import type { TimelineItem } from '../../src/simulator/store/timeline-store.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

export const APP_ID = 'wx0123456789abcdef';
export const APP_SECRET = '0123456789abcdef0123456789abcdef';
export const TOKEN = 'oasimdevtoken';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const SIM_TOKEN = 'sim-test-token';
/** The account's admin token, to publish its menu through its own admin API. */
export const ADMIN_TOKEN = 'account-admin-test-token';
/** A Monday noon in Beijing: far from a day's edge. */
export const START = new Date('2026-11-23T04:00:00Z');

export type Mode = 'plain' | 'compat' | 'safe';

export interface SimWorld {
  sim: Simulator;
  simUrl: string;
  account: TempService;
  /** Calls the control API with the test's token. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }>;
  /** Points the simulator at another callback URL (a stub account). */
  close(): Promise<void>;
}

/** The simulator on port 0 and the real account on port 0, each pointed at the other. */
export async function startWorld(
  options: { mode?: Mode; targetUrl?: (accountUrl: string) => string } = {},
): Promise<SimWorld> {
  const mode = options.mode ?? 'plain';
  const clock = createVirtualClock({ start: START });
  const dir = await mkdtemp(join(tmpdir(), 'oasim-sim-'));
  let accountUrl = '';
  // The account's URL is known only once it listens; the simulator reads it per request.
  const target = {
    url: () => (options.targetUrl ? options.targetUrl(accountUrl) : `${accountUrl}/wechat`),
    token: TOKEN,
    appId: APP_ID,
    aesKey: AES_KEY,
    encryptMode: mode,
  };
  const sim = await createSimulator({
    dataDir: dir,
    target,
    account: { appId: APP_ID, appSecret: APP_SECRET, type: 'service' },
    clock,
    token: SIM_TOKEN,
  });
  const server: Server = await new Promise((resolve) => {
    const s = sim.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const simUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const account = await startTempService({
    now: () => clock.now(),
    env: {
      WECHAT_APPID: APP_ID,
      WECHAT_APPSECRET: APP_SECRET,
      WECHAT_TOKEN: TOKEN,
      WECHAT_ENCRYPT_MODE: mode,
      WECHAT_AES_KEY: AES_KEY,
      WECHAT_API_BASE: simUrl,
      ADMIN_TOKEN,
    },
  });
  accountUrl = account.url;
  return {
    sim,
    simUrl,
    account,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${simUrl}/sim/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${SIM_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json: json as T };
    },
    async close() {
      await account.cleanup();
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await sim.close();
      clock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A user's newest timeline items, oldest first. */
export async function timelineOf(w: SimWorld, openid: string, limit = 10): Promise<TimelineItem[]> {
  const { json } = await w.api<{ items: TimelineItem[] }>(
    'GET',
    `/users/${openid}/timeline?limit=${limit}`,
  );
  return json.items.reverse();
}

/** Makes a user do something; answers the status and the exchange. */
export function act(w: SimWorld, openid: string, action: Record<string, unknown>) {
  return w.api<ActionResult & { error?: string }>('POST', `/users/${openid}/actions`, action);
}

/** The text a timeline item shows, if it is a text. */
export const textOf = (item: TimelineItem | undefined) => item?.message?.text as string | undefined;
