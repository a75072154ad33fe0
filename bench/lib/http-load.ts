import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mainThreadCpuMs } from './thread-cpu.ts';

export interface HttpLoad {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Requests sent. */
  sent: number;
  /** Main-thread CPU per request sent, in ms, where it can be read (see thread-cpu.ts). */
  cpuMs?: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Requests taken in turn, one per request sent (signed XML needs fresh nonces and ids). */
  sequence?: { path: string; body: string }[];
  seconds?: number;
  connections?: number;
}

const run = promisify(execFile);

/**
 * Loads one endpoint on loopback for a bounded time and reports requests/s and p99
 * latency. autocannon runs in a child process: in the server's own process it would take
 * half of the event loop it is measuring.
 */
export async function loadHttp(options: LoadOptions): Promise<HttpLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-load-'));
  const file = join(dir, 'options.json');
  writeFileSync(
    file,
    JSON.stringify({
      seconds: Number(process.env.BENCH_SECONDS ?? 5),
      connections: 20,
      ...options,
    }),
  );
  // The prebuilt requests are the child's now: held here, they would make every garbage
  // collection in the measured server's process walk them.
  options = { url: options.url };
  try {
    const cpuBefore = mainThreadCpuMs();
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'load-child.ts'), file],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const cpuAfter = mainThreadCpuMs();
    const load = JSON.parse(stdout.trim().split('\n').at(-1)!) as HttpLoad;
    if (cpuBefore !== undefined && cpuAfter !== undefined && load.sent > 0)
      load.cpuMs = (cpuAfter - cpuBefore) / load.sent;
    return load;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
