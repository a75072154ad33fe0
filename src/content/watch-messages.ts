import { watch } from 'chokidar';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { displayPath } from './read-content.ts';

/**
 * Watches `messages/` and reports which file changed: an entry (`entries/*.md`) or the
 * rules file. Bursts of events for one file (editors write in several steps) are folded
 * into one call after `settleMs`.
 */
export function watchMessages(
  {
    dir,
    rulesFile,
    settleMs = 150,
    log,
  }: { dir: string; rulesFile: string; settleMs?: number; log: Logger },
  on: { entry: (path: string) => void | Promise<void>; rules: () => void | Promise<void> },
): { ready: Promise<void>; close: () => Promise<void> } {
  const entriesDir = resolve(dir, 'entries');
  const rulesPath = resolve(rulesFile);
  const timers = new Map<string, NodeJS.Timeout>();
  const watcher = watch(resolve(dir), { ignoreInitial: true, depth: 2 });

  const changed = (path: string) => {
    const full = resolve(path);
    const isEntry = dirname(full) === entriesDir && basename(full).endsWith('.md');
    if (!isEntry && full !== rulesPath) return;
    clearTimeout(timers.get(full));
    timers.set(
      full,
      setTimeout(() => {
        timers.delete(full);
        Promise.resolve(isEntry ? on.entry(full) : on.rules()).catch((error: unknown) =>
          log.error({ err: error, file: displayPath(full) }, 'reloading a changed file failed'),
        );
      }, settleMs),
    );
  };
  watcher.on('add', changed).on('change', changed).on('unlink', changed);
  watcher.on('error', (error) => log.warn({ err: error }, 'watching messages/ failed'));
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
  return {
    ready,
    async close() {
      for (const timer of timers.values()) clearTimeout(timer);
      await watcher.close();
    },
  };
}
