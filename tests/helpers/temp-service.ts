import { cp, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VirtualClock } from '../../src/clock/clock.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { createService, type Service } from '../../src/service.ts';
import type { Storage } from '../../src/store/storage.ts';

/** The tests' own copy of the sample account: adding content to `messages/` changes no test. */
export const SAMPLE_MESSAGES = join(import.meta.dirname, '../fixtures/messages');

export interface TempService {
  service: Service;
  url: string;
  server: Server;
  dir: string;
  messagesDir: string;
  config: Config;
  /** The admin API's Bearer token (ADMIN_TOKEN, or the generated one); undefined when it is off. */
  adminToken: string | undefined;
  /** Stops the service; the folder stays, so a new service can start on the same files. */
  stop(): Promise<void>;
  /** Stops the service and removes its folder. */
  cleanup(): Promise<void>;
  restart(): Promise<TempService>;
}

/**
 * Where a temporary folder keeps its copy of the sample content (MESSAGES_DIR): named apart
 * from the project's live `messages/`, so that no test can be mistaken for reading it.
 */
const contentOf = (dir: string) => join(dir, 'account-content');

/** A temporary folder holding a copy of the sample content and a fresh database. */
export async function makeTempDir(): Promise<{ dir: string; messagesDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'oasim-test-'));
  const messagesDir = contentOf(dir);
  await cp(SAMPLE_MESSAGES, messagesDir, { recursive: true });
  return { dir, messagesDir };
}

/** Starts the real service on port 0 over a temporary folder. */
export async function startTempService(
  options: {
    dir?: string;
    env?: Record<string, string>;
    log?: Logger;
    now?: () => Date;
    /** The clock shared with a hosted simulator (SIMULATOR: 'on'). */
    clock?: VirtualClock;
    /** The account's storage (a test PostgreSQL schema, say); the test closes it. */
    storage?: Storage;
    /** False: a front end only, that runs no schedules and dispatches nothing (`createService`). */
    background?: boolean;
  } = {},
): Promise<TempService> {
  const dir = options.dir ?? (await makeTempDir()).dir;
  const messagesDir = contentOf(dir);
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    MESSAGES_DIR: messagesDir,
    LOG_LEVEL: 'silent',
    WATCH_MESSAGES: 'false',
    // Tests that want the simulated platform hosted beside the account say SIMULATOR: 'on'.
    SIMULATOR: 'off',
    ...options.env,
  });
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL });
  const service = await createService(config, log, {
    now: options.now,
    clock: options.clock,
    storage: options.storage,
    background: options.background,
  });
  const { url, server } = await service.listen();
  const stop = () => service.close();
  return {
    service,
    url,
    server,
    dir,
    messagesDir,
    config,
    adminToken: service.adminToken?.token,
    stop,
    async cleanup() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      return startTempService({ ...options, dir });
    },
  };
}

/** A logger that keeps its JSON lines in memory, for tests that read the log. */
export function memoryLogger(level = 'info'): {
  log: Logger;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const log = createLogger({
    level,
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** POSTs JSON to the service's chat API. */
export async function chat(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
