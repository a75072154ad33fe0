import { open, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { isAlias, isNode, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ContentError } from './content-error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a content file an operator wrote (an entry, `rules.yaml`) as text, refusing what
 * is not one: larger than `maxBytes` (checked before reading it all), binary (a NUL byte)
 * or not UTF-8 (Node would silently turn bad bytes into U+FFFD). A leading BOM is dropped.
 */
export async function readContentFile(path: string, maxBytes: number): Promise<string> {
  // Checked before opening: opening a named pipe would wait for a writer, for ever.
  const info = await stat(path);
  if (!info.isFile()) throw new ContentError(path, 'is not a regular file');
  if (info.size > maxBytes)
    throw new ContentError(path, `file is larger than ${sizeWords(maxBytes)}`);
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    // Read one byte past the limit: a file that grew since stat is still refused.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes)
      throw new ContentError(path, `file is larger than ${sizeWords(maxBytes)}`);
    bytes = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return decodeText(path, bytes);
}

/** UTF-8 text of a content file's bytes, or a ContentError naming the line of the problem. */
export function decodeText(path: string, bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1)
    throw new ContentError(path, 'is binary, not text (it has a NUL byte)', lineAt(bytes, nul));
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new ContentError(path, 'is not UTF-8 text', lineAt(bytes, firstBadUtf8(bytes)));
  }
}

const sizeWords = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;

function lineAt(bytes: Buffer, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Index of the first byte that does not start a valid UTF-8 sequence (by halving). */
function firstBadUtf8(bytes: Buffer): number {
  let [lo, hi] = [0, bytes.length];
  while (hi - lo > 4) {
    const mid = (lo + hi) >> 1;
    try {
      // A decoder of its own: streaming keeps a cut sequence for the next call.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** Aliases may repeat a value a few times; far more is a billion-laughs bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * The data of a YAML text, read with the core schema (no timestamps, nothing evaluated)
 * and no duplicate keys. Every problem, including an alias that names no anchor and an
 * alias bomb, becomes a ContentError with its line (`firstLine`: the file line of the
 * YAML's first line, for front matter).
 */
export function parseYaml(
  file: string,
  text: string,
  firstLine = 1,
): { data: unknown; lineOf: (path: (string | number)[]) => number | undefined } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    schema: 'core',
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
  });
  const toFileLine = (line: number | undefined) =>
    line === undefined ? undefined : line + firstLine - 1;
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new ContentError(
      file,
      `not valid YAML: ${yamlError.message.split('\n')[0]}`,
      toFileLine(yamlError.linePos?.[0].line),
    );
  }
  const unresolved = unresolvedAlias(doc);
  if (unresolved) {
    throw new ContentError(
      file,
      `the alias *${unresolved.name} names no anchor (&${unresolved.name}) before it`,
      toFileLine(
        unresolved.offset === undefined ? undefined : lineCounter.linePos(unresolved.offset).line,
      ),
    );
  }
  const lineOf = (path: (string | number)[]) => toFileLine(lineOfPath(doc, lineCounter, path));
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), lineOf };
  } catch (error) {
    const reason =
      error instanceof ReferenceError && /alias count/i.test(error.message)
        ? 'aliases expand to too much data (an alias bomb); write the values out'
        : `not usable YAML: ${error instanceof Error ? error.message : String(error)}`;
    throw new ContentError(file, reason);
  }
}

/** The line of the deepest node of `path` that exists in the document. */
function lineOfPath(
  doc: Document,
  lineCounter: LineCounter,
  path: (string | number)[],
): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function unresolvedAlias(doc: Document): { name: string; offset?: number } | undefined {
  let found: { name: string; offset?: number } | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!isAlias(node) || node.resolve(doc)) return undefined;
      found = { name: node.source, offset: node.range?.[0] };
      return visit.BREAK;
    },
  });
  return found;
}

/** A path for logs: relative to the working directory, the same at start and on reload. */
export function displayPath(path: string): string {
  return relative(process.cwd(), path) || path;
}
