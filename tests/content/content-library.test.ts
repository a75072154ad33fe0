import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { loadRules } from '../../src/content/load-rules.ts';
import { parseEntry } from '../../src/content/parse-entry.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';

const TZ = 'Asia/Shanghai';
const SAMPLE_ENTRIES = 13;
let cleanupDir: string | undefined;
afterEach(async () => {
  if (cleanupDir) await rm(cleanupDir, { recursive: true, force: true });
  cleanupDir = undefined;
});

async function libraryWith(files: Record<string, string>) {
  const { dir, messagesDir } = await makeTempDir();
  cleanupDir = dir;
  for (const [name, text] of Object.entries(files))
    await writeFile(join(messagesDir, 'entries', name), text);
  const { log, lines } = memoryLogger();
  const library = new ContentLibrary(join(messagesDir, 'entries'), TZ, log);
  await library.load();
  return { library, lines, messagesDir };
}

describe('entry files', () => {
  it('loads the sample account with at least ten entries and both source documents', async () => {
    const { library } = await libraryWith({});
    expect(library.size()).toBe(SAMPLE_ENTRIES);
    expect(library.get('account-launch')?.date).toBe('2019-03-19');
    expect(
      library.get('department-70th-anniversary')?.body.match(/Wang Huning on Monday/g),
    ).toHaveLength(1);
  });

  it('reads a date without a time as midnight in the account time zone', () => {
    const entry = parseEntry('x.md', 'x', '---\ntitle: T\ndate: 2021-01-18\n---\nbody', TZ);
    expect(entry.publishedAt.toISOString()).toBe('2021-01-17T16:00:00.000Z');
    const withOffset = parseEntry(
      'y.md',
      'y',
      '---\ntitle: T\ndate: 2021-01-18T09:00:00+01:00\n---\n',
      TZ,
    );
    expect(withOffset.publishedAt.toISOString()).toBe('2021-01-18T08:00:00.000Z');
  });

  it('never evaluates front matter: a ---js block is not YAML and a custom tag stays text', () => {
    expect(() =>
      parseEntry('a.md', 'a', '---js\n{ title: (() => process.exit(1))() }\n---\n', TZ),
    ).toThrow(/must start with a "---" line/);
    const tagged = parseEntry(
      'b.md',
      'b',
      '---\ntitle: !!js/function "x"\ndate: "2020-01-01"\n---\n',
      TZ,
    );
    expect(tagged.title).toBe('x');
  });

  it('skips malformed files with their path, line and reason, and loads the rest', async () => {
    const { library, lines } = await libraryWith({
      'bad-yaml.md': '---\ntitle: ok\ndate: 2020-01-01\nkeywords: [unclosed\n---\nbody',
      'no-title.md': '---\ndate: 2020-01-01\n---\nbody',
      'bad-date.md': '---\ntitle: T\ndate: 2020-02-30\n---\nbody',
      'not-iso.md': '---\ntitle: T\ndate: 18 January 2021\n---\nbody',
      'no-front-matter.md': 'just text',
      'bad url.md': '---\ntitle: T\ndate: 2020-01-01\n---\n',
    });
    expect(library.size()).toBe(SAMPLE_ENTRIES);
    const skipped = lines().filter((line) => line.msg === 'entry file skipped');
    const byFile = Object.fromEntries(
      skipped.map((line) => [String(line.file).split('/').pop(), line]),
    );
    expect(Object.keys(byFile).sort()).toEqual(
      [
        'bad url.md',
        'bad-date.md',
        'bad-yaml.md',
        'no-front-matter.md',
        'no-title.md',
        'not-iso.md',
      ].sort(),
    );
    expect(byFile['bad-yaml.md']).toMatchObject({
      reason: expect.stringContaining('not valid YAML'),
    });
    expect(byFile['bad-yaml.md']?.line).toBeGreaterThanOrEqual(4);
    expect(byFile['no-title.md']).toMatchObject({
      reason: 'title: is required (text); found nothing',
    });
    expect(byFile['bad-date.md']).toMatchObject({
      reason: 'date: February 2020 has days 01 to 29, not 30',
      line: 3,
    });
    expect(byFile['not-iso.md']).toMatchObject({
      line: 3,
      reason: expect.stringContaining('ISO 8601'),
    });
    expect(byFile['no-front-matter.md']).toMatchObject({ line: 1 });
    expect(byFile['bad url.md']).toMatchObject({
      reason: expect.stringContaining('file name must be'),
    });
  });

  it('picks up an added, changed and removed file', async () => {
    const { library, messagesDir } = await libraryWith({});
    const file = join(messagesDir, 'entries', 'fresh.md');
    await writeFile(file, '---\ntitle: Fresh\ndate: 2030-01-01\n---\n');
    await library.reloadFile(file);
    expect(library.get('fresh')?.title).toBe('Fresh');
    await writeFile(file, '---\ntitle: Fresher\ndate: 2030-01-01\n---\n');
    await library.reloadFile(file);
    expect(library.get('fresh')?.title).toBe('Fresher');
    await rm(file);
    await library.reloadFile(file);
    expect(library.get('fresh')).toBeUndefined();
  });

  it('keeps future-dated entries out of latest until their date', async () => {
    const { library } = await libraryWith({
      'future.md': '---\ntitle: Soon\ndate: 2099-01-01\n---\n',
    });
    expect(library.latest(1)[0]?.id).not.toBe('future');
    expect(library.latest(1, { now: new Date('2099-01-02') })[0]?.id).toBe('future');
  });
});

describe('rules file', () => {
  it('loads the sample rules and menu', async () => {
    const { dir, messagesDir } = await makeTempDir();
    cleanupDir = dir;
    const rules = await loadRules(join(messagesDir, 'rules.yaml'), memoryLogger().log);
    expect(rules.rules.map((rule) => rule.name)).toContain('about');
    expect(rules.menu).toHaveLength(3);
    expect(rules.topics.get('events')?.label).toBe('活动');
  });

  it('skips an invalid rule by name with its line and keeps the valid ones', async () => {
    const { dir, messagesDir } = await makeTempDir();
    cleanupDir = dir;
    const file = join(messagesDir, 'rules.yaml');
    await writeFile(
      file,
      [
        'rules:',
        '  - name: good',
        '    keywords: [ok]',
        '    replies: [{ text: fine }]',
        '  - name: too many replies',
        '    keywords: [x]',
        '    replies: [{text: a}, {text: b}, {text: c}, {text: d}, {text: e}, {text: f}]',
        '  - name: bad regex',
        '    keywords: [{ keyword: "(", match: regex }]',
        '    replies: [{ text: x }]',
        '  - name: bad mode',
        '    keywords: [y]',
        '    reply_mode: sometimes',
        '    replies: [{ text: y }]',
      ].join('\n'),
    );
    const { log, lines } = memoryLogger();
    const rules = await loadRules(file, log);
    expect(rules.rules.map((rule) => rule.name)).toEqual(['good']);
    const problems = lines().filter((line) => line.msg === 'rules file: part skipped');
    expect(problems.map((p) => [p.where, p.line])).toEqual([
      ['rule "too many replies"', 7],
      ['rule "bad regex"', 9],
      ['rule "bad mode"', 13],
    ]);
    expect(problems[0]?.reason).toContain('at most 5 replies');
  });

  it('keeps the previous rules when the file is not YAML at all', async () => {
    const { dir, messagesDir } = await makeTempDir();
    cleanupDir = dir;
    const file = join(messagesDir, 'rules.yaml');
    const { log, lines } = memoryLogger();
    const before = await loadRules(file, log);
    await writeFile(file, 'rules: [\n  - name: x\n  oops: : :\n');
    const after = await loadRules(file, log, before);
    expect(after).toBe(before);
    expect(lines().at(-1)).toMatchObject({
      msg: 'rules file not used; keeping the previous rules',
      reason: expect.stringContaining('not valid YAML'),
      line: expect.any(Number),
    });
  });
});
