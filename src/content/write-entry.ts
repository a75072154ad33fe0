import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Entry } from './entry.ts';
import { ContentError, parseEntry } from './parse-entry.ts';

/** The fields of a new entry, as the admin API receives them. */
export interface NewEntry {
  id: string;
  title: string;
  date: string;
  summary?: string;
  keywords?: string[];
  topics?: string[];
  url?: string;
  cover?: string;
  author?: string;
  body: string;
}

/** An entry with this id already exists. */
export class EntryExistsError extends Error {
  constructor(readonly id: string) {
    super(`entry "${id}" already exists`);
    this.name = 'EntryExistsError';
  }
}

/** There is no entry with this id to change. */
export class EntryMissingError extends Error {
  constructor(readonly id: string) {
    super(`there is no entry "${id}"`);
    this.name = 'EntryMissingError';
  }
}

/** The entry's file: its front matter (fields left out stay out) and its Markdown body. */
function entrySource(dir: string, entry: NewEntry, timeZone: string) {
  const { id, body, ...fields } = entry;
  const frontMatter = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  );
  const source = `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n${body.trim()}\n`;
  const path = join(dir, `${id}.md`);
  return { path, source, parsed: parseEntry(path, id, source, timeZone) };
}

/**
 * Writes a new entry as `<dir>/<id>.md`, so the content library stays the one source. The
 * file is parsed with the library's own rules before it is written (a ContentError names
 * the problem), and created exclusively: an existing id is never overwritten.
 */
export async function writeEntry(dir: string, entry: NewEntry, timeZone: string): Promise<Entry> {
  const { path, source, parsed } = entrySource(dir, entry, timeZone);
  try {
    await writeFile(path, source, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new EntryExistsError(entry.id);
    throw new ContentError(path, `cannot be written: ${String(error)}`);
  }
  return parsed;
}

/**
 * Rewrites an existing entry's file whole, checked like a new one first. Only an entry
 * that exists is changed (EntryMissingError otherwise): an update never creates one.
 */
export async function updateEntry(dir: string, entry: NewEntry, timeZone: string): Promise<Entry> {
  const { path, source, parsed } = entrySource(dir, entry, timeZone);
  try {
    await access(path);
  } catch {
    throw new EntryMissingError(entry.id);
  }
  try {
    await writeFile(path, source);
  } catch (error) {
    throw new ContentError(path, `cannot be written: ${String(error)}`);
  }
  return parsed;
}
