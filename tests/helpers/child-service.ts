import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

export interface ChildService {
  child: ChildProcess;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** What the process wrote so far. */
  stdout(): string;
  stderr(): string;
}

/**
 * Runs the real service (`node --import tsx src/main.ts`) as a child process, as an
 * operator would; resolves once it logs the address it listens on.
 */
export function spawnService(env: Record<string, string>): Promise<ChildService> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', WATCH_MESSAGES: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stderr: string[] = [];
  const stdout: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start: ${stderr.join('')}`)),
      20_000,
    );
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}: ${stderr.join('')}`));
    };
    child.once('exit', early);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(`${line}\n`);
      const url = /"url":"([^"]+)"/.exec(line)?.[1];
      if (url && line.includes('listening')) {
        clearTimeout(timer);
        child.off('exit', early);
        resolve({
          child,
          url,
          exited,
          stdout: () => stdout.join(''),
          stderr: () => stderr.join(''),
        });
      }
    });
  });
}

/** Runs the service to its end (one that cannot start); resolves with its exit code and output. */
export function runService(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', WATCH_MESSAGES: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout: out.join(''), stderr: err.join('') });
    }),
  );
}

/** Waits, polling, until `check` holds; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
