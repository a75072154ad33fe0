import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { createSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

export const APP_ID = 'wx0123456789abcdef';
export const APP_SECRET = '0123456789abcdef0123456789abcdef';
export const TOKEN = 'oasimdevtoken';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const SIM_TOKEN = 'sim-test-token';
/** A Monday noon in Beijing: far from a day's edge. */
export const START = new Date('2026-11-23T04:00:00Z');

export type Mode = 'plain' | 'compat' | 'safe';

export interface SimWorld {
  sim: Simulator;
  simUrl: string;
  account: TempService;
  /** Calls the control API with the test's token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
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
  const sim = createSimulator({
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
    },
  });
  accountUrl = account.url;
  return {
    sim,
    simUrl,
    account,
    async api(method, path, body) {
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
      return { status: res.status, json };
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
