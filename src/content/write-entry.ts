import { writeFile } from 'node:fs/promises';
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

/**
 * Writes a new entry as `<dir>/<id>.md`, so the content library stays the one source. The
 * file is parsed with the library's own rules before it is written (a ContentError names
 * the problem), and created exclusively: an existing id is never overwritten.
 */
export async function writeEntry(dir: string, entry: NewEntry, timeZone: string): Promise<Entry> {
  const { id, body, ...fields } = entry;
  const frontMatter = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  );
  const source = `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n${body.trim()}\n`;
  const path = join(dir, `${id}.md`);
  const parsed = parseEntry(path, id, source, timeZone);
  try {
    await writeFile(path, source, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new EntryExistsError(id);
    throw new ContentError(path, `cannot be written: ${String(error)}`);
  }
  return parsed;
}
