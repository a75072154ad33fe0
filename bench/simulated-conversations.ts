/**
 * Simulated conversations end to end in safe mode: simulator → account → simulator, run
 * by the simulator's own load run (`POST /sim/api/load`). Each conversation is a full
 * round trip: the simulated phone signs and encrypts the callback, the account answers,
 * the simulator decrypts and checks the reply and writes both to the user's timeline.
 * Measured twice: the simulator hosted beside the account in one process (as `npm start`
 * runs it), and the simulator as a process of its own (`npm run simulator` pointed at the
 * account). The baseline, measured in the same round, is `POST /wechat` driven directly
 * by the load generator with prebuilt signed safe-mode requests: the account's half alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchService } from './lib/temp-service.ts';
import type { HttpLoad } from './lib/http-load.ts';
import type { BenchRow } from './lib/table.ts';
import { mainThreadCpuMs } from './lib/thread-cpu.ts';
import { AES_KEY, APP_ID, TOKEN, measureService } from './wechat-callback.ts';

const TEXT = 'help';
/** Simulated users sharing the load; each follows once over the wire before it is measured. */
const USERS = 200;
/** As many conversations under way as the load generator keeps connections to `/wechat`. */
const CONCURRENCY = 20;
const ROUNDS = 3;
const SIM_TOKEN = 'bench-simulator-token';

interface LoadReport {
  conversations: number;
  outcomes: Record<string, number>;
  perSecond: number;
  latencyMs: { p50: number; p99: number };
}

/** A load run's figures, with the CPU of the simulator's thread and of the account's. */
interface SimulatedLoad extends HttpLoad {
  p50: number;
  /** The account's main thread, per conversation (the simulator's too when hosted). */
  accountCpuMs?: number;
  /** The standalone simulator's main thread, per conversation. */
  simulatorCpuMs?: number;
}

/** A control API client for a simulator at `base` with `token`. */
function control(base: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}/sim/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

/**
 * Makes the users follow, checks one round of replies is shown (the load counts answers,
 * so they must be real replies), then runs the measured load.
 */
async function runLoad(
  call: ReturnType<typeof control>,
  cpu: { account: () => number | undefined; simulator?: () => number | undefined },
): Promise<SimulatedLoad> {
  const { openids } = (await call('POST', '/users', { count: USERS, seed: 'bench' })) as {
    openids: string[];
  };
  for (const openid of openids) await call('POST', `/users/${openid}/actions`, { type: 'follow' });
  const body = { users: USERS, text: TEXT, concurrency: CONCURRENCY };
  const warm = (
    (await call('POST', '/load', { ...body, conversations: USERS })) as {
      load: LoadReport;
    }
  ).load;
  if (warm.outcomes.shown !== USERS)
    throw new Error(`the replies were not all shown: ${JSON.stringify(warm.outcomes)}`);
  const before = { account: cpu.account(), simulator: cpu.simulator?.() };
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const { load } = (await call('POST', '/load', { ...body, seconds })) as { load: LoadReport };
  const after = { account: cpu.account(), simulator: cpu.simulator?.() };
  const done = load.conversations;
  if (load.outcomes.shown !== done)
    throw new Error(`simulated conversations: ${JSON.stringify(load.outcomes)}`);
  const per = (a?: number, b?: number) =>
    a !== undefined && b !== undefined && done > 0 ? (b - a) / done : undefined;
  const accountCpuMs = per(before.account, after.account);
  const simulatorCpuMs = per(before.simulator, after.simulator);
  return {
    rps: load.perSecond,
    p50: load.latencyMs.p50,
    p99: load.latencyMs.p99,
    errors: 0,
    non2xx: 0,
    sent: done,
    ...(accountCpuMs !== undefined && { accountCpuMs, cpuMs: accountCpuMs }),
    ...(simulatorCpuMs !== undefined && { simulatorCpuMs }),
  };
}

/** The simulator hosted beside the account, one process, one thread: as `npm start` runs it. */
export async function measureHosted(): Promise<SimulatedLoad> {
  const { service, url, close } = await startBenchService({
    SIMULATOR: 'on',
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCRYPT_MODE: 'safe',
    WECHAT_AES_KEY: AES_KEY,
    WECHAT_APPID: APP_ID,
  });
  try {
    return await runLoad(control(url, service.adminToken!.token), {
      account: () => mainThreadCpuMs(),
    });
  } finally {
    await close();
  }
}

/** The simulator as a process of its own (`npm run simulator`) pointed at the account. */
export async function measureSeparate(): Promise<SimulatedLoad> {
  const { url, close } = await startBenchService({
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCRYPT_MODE: 'safe',
    WECHAT_AES_KEY: AES_KEY,
    WECHAT_APPID: APP_ID,
  });
  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-sim-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  try {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../src/simulator/main.ts')],
      {
        stdio: ['ignore', 'ignore', 'ignore'],
        env: {
          ...process.env,
          SIM_TARGET_URL: `${url}/wechat`,
          SIM_TARGET_TOKEN: TOKEN,
          SIM_TARGET_APPID: APP_ID,
          SIM_TARGET_AES_KEY: AES_KEY,
          SIM_TARGET_ENCRYPT_MODE: 'safe',
          SIM_PORT: String(port),
          SIM_DATA_DIR: dir,
          SIM_TOKEN,
          LOG_LEVEL: 'silent',
        },
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await until(
      async () => (await fetch(`${base}/sim/api/clock`).catch(() => undefined)) !== undefined,
    );
    const pid = child.pid!;
    return await runLoad(control(base, SIM_TOKEN), {
      account: () => mainThreadCpuMs(),
      simulator: () => mainThreadCpuMs(pid),
    });
  } finally {
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rounds of baseline then both ways of running the simulator; the median ratio's round is reported. */
export async function simulatedConversationsBench(): Promise<BenchRow[]> {
  const rounds: { bare: HttpLoad; hosted: SimulatedLoad; separate: SimulatedLoad }[] = [];
  for (let round = 0; round < ROUNDS; round++)
    rounds.push({
      bare: await measureService(true, false),
      hosted: await measureHosted(),
      separate: await measureSeparate(),
    });
  const median = (key: 'hosted' | 'separate') =>
    [...rounds].sort((a, b) => a[key].rps / a.bare.rps - b[key].rps / b.bare.rps)[
      Math.floor(ROUNDS / 2)
    ]!;
  const baseline = 'POST /wechat direct, safe';
  const rows: BenchRow[] = [];
  for (const [key, label] of [
    ['hosted', 'hosted in one process'],
    ['separate', 'npm run simulator, its own process'],
  ] as const) {
    const { bare: b, [key]: o } = median(key);
    const name = `simulated text "${TEXT}" end to end, safe mode, ${USERS} users, ${label}`;
    rows.push(
      {
        name,
        metric: 'throughput',
        value: o.rps,
        unit: 'conv/s',
        baseline: { name: baseline, value: b.rps },
        target: '>= 0.5x',
      },
      {
        name,
        metric: 'p99 latency',
        value: o.p99,
        unit: 'ms',
        baseline: { name: baseline, value: b.p99 },
      },
    );
    // What each costs a thread, whatever the neighbours do: hosted, one thread serves both
    // sides, and at most 2x the baseline's is what 0.5x the throughput needs.
    if (o.accountCpuMs !== undefined && b.cpuMs !== undefined)
      rows.push({
        name,
        metric:
          key === 'hosted'
            ? 'main-thread CPU per conversation'
            : "account's main-thread CPU per conversation",
        value: o.accountCpuMs,
        unit: 'ms',
        baseline: { name: baseline, value: b.cpuMs },
        ...(key === 'hosted' && { target: '<= 2x' }),
      });
    if (o.simulatorCpuMs !== undefined && b.cpuMs !== undefined)
      rows.push({
        name,
        metric: "simulator's main-thread CPU per conversation",
        value: o.simulatorCpuMs,
        unit: 'ms',
        baseline: { name: baseline, value: b.cpuMs },
      });
  }
  return rows;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('the simulator did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
