import type BetterSqlite3 from 'better-sqlite3';
import { Database } from '../../src/sqlite/driver.ts';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { shanghaiDay } from '../../src/simulator/platform/shanghai-time.ts';
import { SIM_DATABASE_FILE } from '../../src/simulator/store/sim-database.ts';
import { MAX_POPULATION } from '../../src/simulator/users/users.ts';

const ROOT = join(import.meta.dirname, '../..');

/** The account the simulated platform serves and every bench instance is configured as. */
export const BENCH_WECHAT = {
  appId: 'wxbench0000000001',
  appSecret: '0123456789abcdef0123456789abcdef',
  token: 'benchtoken',
};
const SIM_TOKEN = 'bench-simulator-token-0123';

export interface SimulatorProcess {
  /** The platform's address: WECHAT_API_BASE of every instance. */
  url: string;
  /** `count` users made followers (setup, not measured); their OpenIDs. */
  followers(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** A free loopback port, for a process whose address another must know before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * One simulated platform in a process of its own (`npm run simulator`), as several
 * instances of the account share it; its callbacks go to `targetUrl`.
 */
export function startSimulatorProcess(
  dataDir: string,
  targetUrl: string,
): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      SIM_PORT: '0',
      SIM_DATA_DIR: dataDir,
      SIM_TOKEN,
      SIM_TARGET_URL: targetUrl,
      SIM_TARGET_TOKEN: BENCH_WECHAT.token,
      SIM_TARGET_APPID: BENCH_WECHAT.appId,
      SIM_TARGET_ENCRYPT_MODE: 'plain',
      SIM_APPSECRET: BENCH_WECHAT.appSecret,
      SIM_ACCOUNT_TYPE: 'service',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`simulator exited ${code}: ${stderr}`));
    child.once('exit', early);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (!port) return;
      child.off('exit', early);
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        followers: (count) => populate(url, dataDir, count),
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/**
 * The population over the control API, then every user made a follower directly in the
 * platform's database: following over the wire is a callback round trip per user, which
 * is not what the dispatch benchmark measures.
 */
async function populate(url: string, dataDir: string, count: number): Promise<string[]> {
  for (let made = 0, call = 0; made < count; made += MAX_POPULATION, call++) {
    const res = await fetch(`${url}/sim/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SIM_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        count: Math.min(MAX_POPULATION, count - made),
        seed: `bench-${call}`,
      }),
    });
    if (!res.ok) throw new Error(`POST /sim/api/users: ${res.status} ${await res.text()}`);
  }
  const sim = new Database(join(dataDir, SIM_DATABASE_FILE));
  try {
    sim.pragma('busy_timeout = 5000');
    sim.prepare('UPDATE sim_users SET subscribed = 1, subscribe_time = ?').run(Date.now());
    liftDailyQuotas(sim);
    return sim.prepare('SELECT openid FROM sim_users').pluck().all() as string[];
  } finally {
    sim.close();
  }
}

/**
 * The account uploads the article card (`media/uploadnews`, 10 a day) once per
 * `mass/send` (100 a day), and instances racing for a queue claim some batches short: the
 * day's allowance runs out mid-broadcast (45009, which pauses it). The benchmark measures
 * throughput, so it starts the day's counts far below zero.
 */
function liftDailyQuotas(sim: BetterSqlite3.Database): void {
  const day = shanghaiDay(new Date());
  const insert = sim.prepare(
    'INSERT INTO platform_quota (api, period, calls) VALUES (?, ?, -1000000)',
  );
  for (const api of ['media/uploadnews', 'message/mass/sendall']) insert.run(api, day);
}
