import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import type { Entry } from './entry.ts';
import { isPublished } from './published.ts';
import { ContentError, MAX_ENTRY_BYTES, parseEntry } from './parse-entry.ts';

/** What the engine and the search index read of the content library. */
export interface ContentView {
  get(id: string): Entry | undefined;
  /** Published entries, newest first; `topic` narrows to one topic. */
  latest(limit: number, options?: { topic?: string; now?: Date }): Entry[];
  /** Every topic named by an entry, in lower case. */
  topics(): string[];
  size(): number;
}

export interface EntryChange {
  upserted: Entry[];
  removed: string[];
}

/**
 * The entries of `messages/entries/`, held in memory and kept in step with the folder.
 * A file that cannot be used is skipped with its path and reason; the rest loads.
 */
export class ContentLibrary implements ContentView {
  readonly #entries = new Map<string, Entry>();
  #byDate: Entry[] = [];
  /** Derived from the entries on every change, not per message: help and topics list them. */
  #topics: string[] = [];
  readonly #listeners = new Set<(change: EntryChange) => void>();

  constructor(
    readonly dir: string,
    private readonly timeZone: string,
    private readonly log: Logger,
  ) {}

  /** Reads every `.md` file of the folder; returns the entries loaded. */
  async load(): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => name.endsWith('.md'));
    } catch (error) {
      this.log.warn(
        { dir: this.dir, err: String(error) },
        'entries folder cannot be read; starting with no entries',
      );
      names = [];
    }
    const loaded = await Promise.all(names.map((name) => this.#read(join(this.dir, name))));
    const upserted = loaded.filter((entry): entry is Entry => entry !== undefined);
    const removed = [...this.#entries.keys()].filter(
      (id) => !upserted.some((entry) => entry.id === id),
    );
    this.#entries.clear();
    for (const entry of upserted) this.#entries.set(entry.id, entry);
    this.#sort();
    this.#emit({ upserted, removed });
    this.log.info(
      { entries: upserted.length, skipped: names.length - upserted.length },
      'content library loaded',
    );
    return upserted.length;
  }

  /** Re-reads one file after it was added, changed or removed. */
  async reloadFile(path: string): Promise<void> {
    const id = basename(path, '.md');
    const entry = await this.#read(path);
    if (entry) {
      if (this.#entries.get(id)?.hash === entry.hash) return;
      this.#entries.set(id, entry);
      this.#sort();
      this.log.info({ entry: id }, 'entry loaded');
      this.#emit({ upserted: [entry], removed: [] });
    } else if (this.#entries.delete(id)) {
      this.#sort();
      this.log.info({ entry: id }, 'entry removed');
      this.#emit({ upserted: [], removed: [id] });
    }
  }

  /** Called with every change, including the first load. */
  onChange(listener: (change: EntryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(id: string): Entry | undefined {
    return this.#entries.get(id);
  }

  all(): Entry[] {
    return this.#byDate;
  }

  latest(limit: number, { topic, now = new Date() }: { topic?: string; now?: Date } = {}): Entry[] {
    const wanted = topic?.toLowerCase();
    const result: Entry[] = [];
    for (const entry of this.#byDate) {
      if (result.length >= limit) break;
      if (!isPublished(entry, now)) continue;
      if (wanted && !entry.topics.some((t) => t.toLowerCase() === wanted)) continue;
      result.push(entry);
    }
    return result;
  }

  topics(): string[] {
    return this.#topics;
  }

  size(): number {
    return this.#entries.size;
  }

  async #read(path: string): Promise<Entry | undefined> {
    const id = basename(path, '.md');
    try {
      const info = await stat(path);
      if (!info.isFile()) return undefined;
      if (info.size > MAX_ENTRY_BYTES) throw new ContentError(path, 'file is larger than 1 MiB');
      return parseEntry(path, id, await readFile(path, 'utf8'), this.timeZone);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      const problem = error instanceof ContentError ? error : new ContentError(path, String(error));
      this.log.warn(
        { file: problem.file, line: problem.line, reason: problem.reason },
        'entry file skipped',
      );
      return undefined;
    }
  }

  #sort(): void {
    this.#byDate = [...this.#entries.values()].sort(
      (a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || a.id.localeCompare(b.id),
    );
    const topics = new Set<string>();
    for (const entry of this.#byDate)
      for (const topic of entry.topics) topics.add(topic.toLowerCase());
    this.#topics = [...topics].sort();
  }

  #emit(change: EntryChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
