import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import type { Entry } from './entry.ts';
import { isPublished } from './published.ts';
import { ContentError, MAX_ENTRY_BYTES, parseEntry } from './parse-entry.ts';
import { displayPath, readContentFile } from './read-content.ts';

/** What the engine and the search index read of the content library. */
export interface ContentView {
  /** The account's time zone, in which a date without an offset is read. */
  readonly timeZone?: string;
  /** Any entry, published or not: callers that show it to a user check `isPublished`. */
  get(id: string): Entry | undefined;
  /** The entry if it is published at `now`: what a user may be shown. */
  published(id: string, now: Date): Entry | undefined;
  /** Published entries, newest first; `topic` narrows to one topic. */
  latest(limit: number, options?: { topic?: string; now?: Date }): Entry[];
  /** The topics users may follow, in lower case: the declared ones once declared. */
  topics(): string[];
  /**
   * The topics `rules.yaml` declares. An entry keeps only declared topics; another is
   * refused with a warning naming the entry, the topic and the known topics.
   */
  declareTopics?(names: Iterable<string>): void;
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
  /** Entries as read from their files. */
  readonly #parsed = new Map<string, Entry>();
  /** The same entries with only their declared topics: what everyone reads. */
  readonly #entries = new Map<string, Entry>();
  /** Undefined until the rules declare topics: until then every topic an entry names counts. */
  #declared: Set<string> | undefined;
  #byDate: Entry[] = [];
  /** Derived from the entries on every change, not per message: help and topics list them. */
  #topics: string[] = [];
  readonly #listeners = new Set<(change: EntryChange) => void>();

  constructor(
    readonly dir: string,
    readonly timeZone: string,
    private readonly log: Logger,
  ) {}

  /** Reads every `.md` file of the folder; returns the entries loaded. */
  async load(): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => name.endsWith('.md'));
    } catch (error) {
      this.log.warn(
        { dir: displayPath(this.dir), err: String(error) },
        'entries folder cannot be read; starting with no entries',
      );
      names = [];
    }
    const loaded = await Promise.all(names.map((name) => this.#read(join(this.dir, name))));
    const upserted = loaded.filter((entry): entry is Entry => entry !== undefined);
    const loadedIds = new Set(upserted.map((entry) => entry.id));
    const removed = [...this.#entries.keys()].filter((id) => !loadedIds.has(id));
    this.#parsed.clear();
    this.#entries.clear();
    for (const entry of upserted) this.#put(entry);
    this.#sort();
    this.#emit({ upserted: [...this.#entries.values()], removed });
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
      if (this.#parsed.get(id)?.hash === entry.hash) return;
      this.#put(entry);
      this.#sort();
      this.log.info({ entry: id }, 'entry loaded');
      this.#emit({ upserted: [this.#entries.get(id)!], removed: [] });
    } else if (this.#entries.delete(id)) {
      this.#parsed.delete(id);
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

  published(id: string, now: Date): Entry | undefined {
    const entry = this.#entries.get(id);
    return entry && isPublished(entry, now) ? entry : undefined;
  }

  declareTopics(names: Iterable<string>): void {
    const declared = new Set([...names].map((name) => name.toLowerCase()));
    const same =
      this.#declared?.size === declared.size && [...declared].every((n) => this.#declared!.has(n));
    if (same) return;
    this.#declared = declared;
    for (const entry of this.#parsed.values()) this.#put(entry);
    this.#sort();
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
    return this.#declared ? [...this.#declared].sort() : this.#topics;
  }

  size(): number {
    return this.#entries.size;
  }

  async #read(path: string): Promise<Entry | undefined> {
    const id = basename(path, '.md');
    try {
      return parseEntry(path, id, await readContentFile(path, MAX_ENTRY_BYTES), this.timeZone);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      const problem = error instanceof ContentError ? error : new ContentError(path, String(error));
      this.log.warn(
        { file: displayPath(problem.file), line: problem.line, reason: problem.reason },
        'entry file skipped',
      );
      return undefined;
    }
  }

  /** Keeps an entry as read and as everyone sees it: with its declared topics only. */
  #put(entry: Entry): void {
    this.#parsed.set(entry.id, entry);
    const declared = this.#declared;
    const refused = declared ? entry.topics.filter((t) => !declared.has(t.toLowerCase())) : [];
    if (refused.length === 0 || !declared) {
      this.#entries.set(entry.id, entry);
      return;
    }
    this.log.warn(
      { entry: entry.id, topics: refused, known: [...declared].sort() },
      'entry names a topic rules.yaml does not declare (topics:); that topic is ignored',
    );
    const topics = entry.topics.filter((t) => declared.has(t.toLowerCase()));
    this.#entries.set(entry.id, { ...entry, topics });
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
