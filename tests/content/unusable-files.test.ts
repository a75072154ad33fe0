import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { loadRules } from '../../src/content/load-rules.ts';
import { DEFAULT_RULES } from '../../src/content/rules.ts';
import {
  chat,
  makeTempDir,
  memoryLogger,
  startTempService,
  type TempService,
} from '../helpers/temp-service.ts';

const TZ = 'Asia/Shanghai';
const SAMPLE_ENTRIES = 13;
const MIB = 1024 * 1024;

/** 9^6 copies of one value from a few lines: a "billion laughs" in small. */
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
].join('\n');

/** Rules files that cannot be used at all, with a word the logged reason must contain. */
const UNUSABLE_RULES: [string, string | Buffer, RegExp][] = [
  ['an unresolved alias', 'rules:\n  - name: x\n    keywords: [*nope]\n', /\*nope names no anchor/],
  ['an alias bomb', `${ALIAS_BOMB}\n`, /alias bomb/],
  ['an alias used before its anchor', 'x: *later\ny: &later 1\n', /names no anchor/],
  ['a file over 1 MiB', `# ${'x'.repeat(MIB)}\n`, /larger than 1 MiB/],
  ['binary data', Buffer.from([0x72, 0x75, 0x0a, 0x00, 0xff, 0x10]), /binary/],
  ['bytes that are not UTF-8', Buffer.from('rules:\n  - name: caf\xe9\n', 'latin1'), /not UTF-8/],
  ['a YAML syntax error', 'rules: [\n  broken: : :\n', /not valid YAML/],
  ['duplicate keys', 'rules: []\nrules: []\n', /not valid YAML/],
];

let dir: string | undefined;
let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function tempMessages() {
  const temp = await makeTempDir();
  dir = temp.dir;
  return temp.messagesDir;
}

describe('a rules file that cannot be used', () => {
  it.each(UNUSABLE_RULES)(
    'with %s keeps the defaults at start and says why',
    async (_, content, reason) => {
      const file = join(await tempMessages(), 'rules.yaml');
      await writeFile(file, content);
      const { log, lines } = memoryLogger();
      expect(await loadRules(file, log)).toBe(DEFAULT_RULES);
      expect(lines().at(-1)).toMatchObject({
        level: 40,
        msg: 'rules file not used; using the built-in replies',
        file: relative(process.cwd(), file),
        reason: expect.stringMatching(reason),
      });
    },
  );

  it.each(UNUSABLE_RULES)('with %s keeps the previous rules on reload', async (_, content) => {
    const messagesDir = await tempMessages();
    const file = join(messagesDir, 'rules.yaml');
    const { log } = memoryLogger();
    const previous = await loadRules(file, log);
    expect(previous.rules.length).toBeGreaterThan(0);
    await writeFile(file, content);
    expect(await loadRules(file, log, previous)).toBe(previous);
  });

  it('names the line of an unresolved alias', async () => {
    const file = join(await tempMessages(), 'rules.yaml');
    await writeFile(
      file,
      'default_reply:\n  - text: hi\nrules:\n  - name: x\n    keywords: [*nope]\n',
    );
    const { log, lines } = memoryLogger();
    await loadRules(file, log);
    expect(lines().at(-1)).toMatchObject({ line: 5 });
  });

  it('reads a file with a byte-order mark and CRLF line ends like any other', async () => {
    const messagesDir = await tempMessages();
    const file = join(messagesDir, 'rules.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, `\uFEFF${text.replace(/\n/g, '\r\n')}`);
    const { log, lines } = memoryLogger();
    const rules = await loadRules(file, log);
    expect(rules.rules.length).toBeGreaterThan(0);
    expect(lines().filter((line) => (line.level as number) >= 40)).toEqual([]);
  });

  it('does not stop the service from starting, which answers with the built-in replies', async () => {
    const messagesDir = await tempMessages();
    await writeFile(join(messagesDir, 'rules.yaml'), `${ALIAS_BOMB}\n`);
    running = await startTempService({ dir });
    dir = undefined;
    const answer = await chat(running.url, { user: 'u', text: 'zzzz' });
    expect(answer.status).toBe(200);
    expect(answer.json.replies).toEqual(
      DEFAULT_RULES.defaultReply.map((reply) => ({ type: 'text', ...reply })),
    );
  });
});

/** Entry files that cannot be used, with what the logged reason must say. */
const UNUSABLE_ENTRIES: [string, string | Buffer, RegExp][] = [
  ['an unresolved alias', '---\ntitle: *nope\ndate: 2020-01-01\n---\nbody', /names no anchor/],
  ['an alias bomb', `---\ntitle: T\ndate: 2020-01-01\n${ALIAS_BOMB}\n---\nbody`, /alias bomb/],
  [
    'a file over 1 MiB',
    `---\ntitle: T\ndate: 2020-01-01\n---\n${'x'.repeat(MIB)}`,
    /larger than 1 MiB/,
  ],
  ['binary data', Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01]), /binary/],
  [
    'bytes that are not UTF-8',
    Buffer.from('---\ntitle: caf\xe9\ndate: 2020-01-01\n---\n', 'latin1'),
    /not UTF-8/,
  ],
];

describe('an entry file that cannot be used', () => {
  it.each(UNUSABLE_ENTRIES)(
    'with %s is skipped with its reason; the rest load',
    async (_, content, reason) => {
      const messagesDir = await tempMessages();
      const file = join(messagesDir, 'entries', 'broken.md');
      await writeFile(file, content);
      const { log, lines } = memoryLogger();
      const library = new ContentLibrary(join(messagesDir, 'entries'), TZ, log);
      await library.load();
      expect(library.size()).toBe(SAMPLE_ENTRIES);
      const skipped = lines().filter((line) => line.msg === 'entry file skipped');
      expect(skipped).toEqual([
        expect.objectContaining({
          file: relative(process.cwd(), file),
          reason: expect.stringMatching(reason),
        }),
      ]);
    },
  );

  it('is logged with the same relative path at start and on reload', async () => {
    const messagesDir = await tempMessages();
    const file = join(messagesDir, 'entries', 'broken.md');
    await writeFile(file, '---\ntitle: T\n---\nno date');
    const { log, lines } = memoryLogger();
    const library = new ContentLibrary(join(messagesDir, 'entries'), TZ, log);
    await library.load();
    await library.reloadFile(file);
    const paths = lines()
      .filter((line) => line.msg === 'entry file skipped')
      .map((line) => line.file);
    expect(paths).toEqual([relative(process.cwd(), file), relative(process.cwd(), file)]);
  });

  it('with a byte-order mark loads', async () => {
    const messagesDir = await tempMessages();
    await writeFile(
      join(messagesDir, 'entries', 'bom.md'),
      '\uFEFF---\ntitle: T\ndate: 2020-01-01\n---\nbody',
    );
    const { log } = memoryLogger();
    const library = new ContentLibrary(join(messagesDir, 'entries'), TZ, log);
    await library.load();
    expect(library.get('bom')?.title).toBe('T');
  });

  it('that is a named pipe is skipped at once, never waited on', async () => {
    const messagesDir = await tempMessages();
    const pipe = join(messagesDir, 'entries', 'pipe.md');
    execFileSync('mkfifo', [pipe]);
    const { log, lines } = memoryLogger();
    const library = new ContentLibrary(join(messagesDir, 'entries'), TZ, log);
    await library.load();
    expect(library.size()).toBe(SAMPLE_ENTRIES);
    expect(lines()).toContainEqual(
      expect.objectContaining({ msg: 'entry file skipped', reason: 'is not a regular file' }),
    );
  });

  it('that is a folder named like an entry is skipped', async () => {
    const messagesDir = await tempMessages();
    await mkdir(join(messagesDir, 'entries', 'folder.md'));
    const { log } = memoryLogger();
    const library = new ContentLibrary(join(messagesDir, 'entries'), TZ, log);
    await library.load();
    expect(library.size()).toBe(SAMPLE_ENTRIES);
  });
});
