import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Entry } from './entry.ts';
import { ContentError } from './content-error.ts';
import { describeIssue } from './describe-issue.ts';
import { DateProblem, parseEntryDate } from './entry-date.ts';
import { parseYaml } from './read-content.ts';

export { ContentError };

export const MAX_ENTRY_BYTES = 1024 * 1024;
export const ENTRY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** "is required" when the field is missing, "must be" when it has the wrong type. */
const requiredOr =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `is required (${what})` : `must be ${what}`;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const wordList = z
  .union([z.string(), z.array(z.string())], { error: 'must be a word or a list of words' })
  .transform((value) =>
    (Array.isArray(value) ? value : [value]).map((word) => word.trim()).filter(Boolean),
  )
  .pipe(
    z.array(z.string().max(64, 'words must be at most 64 characters')).max(50, 'at most 50 items'),
  );

const frontMatterSchema = z.object({
  title: z
    .string({ error: requiredOr('text') })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
  date: z.string({ error: requiredOr('ISO 8601 text, e.g. 2021-01-18') }).max(40),
  summary: z
    .string({ error: 'must be text' })
    .max(1000, 'must be at most 1000 characters')
    .default(''),
  keywords: wordList.default([]),
  topics: wordList.default([]),
  url: httpUrl.optional(),
  cover: httpUrl.optional(),
  author: z.string({ error: 'must be text' }).max(100).optional(),
});

/**
 * Parses an entry file: YAML front matter between `---` lines, then the Markdown body.
 * YAML is read with the core schema, which has no timestamps and evaluates nothing:
 * dates stay text until validated here.
 */
export function parseEntry(file: string, id: string, source: string, timeZone: string): Entry {
  if (!ENTRY_ID.test(id)) {
    throw new ContentError(
      file,
      'file name must be letters, digits, "-" or "_" (at most 100) followed by .md',
    );
  }
  if (Buffer.byteLength(source) > MAX_ENTRY_BYTES)
    throw new ContentError(file, 'file is larger than 1 MiB');
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!text.startsWith('---\n'))
    throw new ContentError(file, 'must start with a "---" line opening the front matter', 1);
  const close = text.indexOf('\n---', 3);
  const closeEnd = close === -1 ? -1 : text.indexOf('\n', close + 4);
  if (close === -1 || (closeEnd !== -1 && text.slice(close + 4, closeEnd).trim() !== '')) {
    throw new ContentError(file, 'front matter is not closed by a "---" line', 1);
  }
  const yamlText = text.slice(4, close + 1);
  const body = closeEnd === -1 ? '' : text.slice(closeEnd + 1).trim();

  // Front matter starts on the file's second line, after the opening "---".
  const { data } = parseYaml(file, yamlText, 2);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ContentError(
      file,
      'front matter must be a mapping of fields (title: ..., date: ...)',
      2,
    );
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw new ContentError(file, describeIssue(issue, data), lineOfKey(yamlText, field));
  }
  const fields = parsed.data;
  let publishedAt: Date;
  try {
    publishedAt = parseEntryDate(fields.date, timeZone);
  } catch (error) {
    if (!(error instanceof DateProblem)) throw error;
    throw new ContentError(file, `date: ${error.message}`, lineOfKey(yamlText, 'date'));
  }
  return {
    id,
    ...fields,
    publishedAt,
    body,
    hash: createHash('sha1').update(source).digest('hex'),
  };
}

/** File line of a top-level front-matter key (front matter starts on line 2). */
function lineOfKey(yamlText: string, key: string): number | undefined {
  const index = yamlText.split('\n').findIndex((line) => line.startsWith(`${key}:`));
  return index === -1 ? undefined : index + 2;
}
