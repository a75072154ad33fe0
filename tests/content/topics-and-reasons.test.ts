import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentLibrary } from '../../src/content/library.ts';
import { loadRules } from '../../src/content/load-rules.ts';
import { makeTempDir, memoryLogger } from '../helpers/temp-service.ts';
import { engineFixture, shown, type EngineFixture } from '../engine/engine-fixture.ts';

const TZ = 'Asia/Shanghai';
const DECLARED = ['announcements', 'dialogue', 'events', 'exchanges', 'guides'];
const STRAY_ENTRY = `---
title: Stray topics
date: 2020-01-01
topics: [events, secret, Constructor, EVENTS]
keywords: [strayword]
---
Body.
`;

let dir: string | undefined;
let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('topics', () => {
  it('an entry keeps only declared topics; the others are refused with a warning naming them', async () => {
    const temp = await makeTempDir();
    dir = temp.dir;
    await writeFile(join(temp.messagesDir, 'entries', 'stray.md'), STRAY_ENTRY);
    const { log, lines } = memoryLogger();
    const library = new ContentLibrary(join(temp.messagesDir, 'entries'), TZ, log);
    await library.load();
    library.declareTopics(DECLARED);
    expect(library.get('stray')?.topics).toEqual(['events', 'EVENTS']);
    expect(library.topics()).toEqual(DECLARED);
    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: 40,
        entry: 'stray',
        topics: ['secret', 'Constructor'],
        known: DECLARED,
      }),
    );
  });

  it('users see and follow declared topics only, and a topic declared later is taken up', async () => {
    fixture = await engineFixture({ files: { 'entries/stray.md': STRAY_ENTRY } });
    const [list] = shown(await fixture.say('t', 'topics'));
    expect(list).not.toContain('secret');
    expect(shown(await fixture.say('t', 'subscribe secret'))[0]).toContain(
      'There is no topic "secret"',
    );
    const topics = new Map(fixture.rules.topics).set('secret', { aliases: ['机密'] });
    fixture.engine.setRules({ ...fixture.rules, topics });
    expect(fixture.library.get('stray')?.topics).toEqual(['events', 'secret', 'EVENTS']);
    expect(shown(await fixture.say('t', '订阅机密'))[0]).toBe(
      'Subscribed to secret. You receive: secret.',
    );
  });
});

/** Broken rules and what the reason must say: the field, the expectation, what was found. */
const BROKEN_RULES: [string, RegExp][] = [
  [
    'rules:\n  - name: a\n    keywords: [5]\n    replies: [{text: x}]\n',
    /^keywords item 1: must be text or a mapping \(key: value\); found a number \(5\)$/,
  ],
  ['rules:\n  - keywords: [a]\n    replies: [{text: x}]\n', /^name: must be text; found nothing$/],
  [
    'rules:\n  - name: a\n    keywords: [a]\n    replies: [{text: 3}]\n',
    /^replies item 1: each reply is .*; found a mapping$/,
  ],
  [
    'rules:\n  - name: a\n    keywords: [a]\n    reply_mode: sometimes\n    replies: [{text: x}]\n',
    /^reply_mode: must be reply_all or random_one; found text "sometimes"$/,
  ],
  [
    'rules:\n  - name: a\n    keywords: [{ keyword: a, match: fuzzy }]\n    replies: [{text: x}]\n',
    /^keywords item 1, match: must be equal, contain or regex; found text "fuzzy"$/,
  ],
  [
    'rules:\n  - name: a\n    keywords: a\n    replies: [{text: x}]\n',
    /^keywords: must be a list; found text "a"$/,
  ],
  [
    'rules:\n  - name: a\n    keywords: [a]\n    replies: [{text: x}]\n    extra: 1\n',
    /^unknown field "extra"$/,
  ],
];

describe('problems in a rules file', () => {
  it.each(BROKEN_RULES)('are said in words: %j', async (yaml, reason) => {
    const temp = await makeTempDir();
    dir = temp.dir;
    const file = join(temp.messagesDir, 'rules.yaml');
    await writeFile(file, yaml);
    const { log, lines } = memoryLogger();
    await loadRules(file, log);
    const skipped = lines().find((line) => line.msg === 'rules file: part skipped');
    expect(skipped?.reason).toMatch(reason);
    expect(String(skipped?.reason)).not.toMatch(/Invalid input|expected \w+, received/);
    expect(skipped).toMatchObject({
      where: expect.stringMatching(/^rule /),
      line: expect.any(Number),
    });
  });
});

/** Broken entry front matter and what the reason must say. */
const BROKEN_ENTRIES: [string, string][] = [
  ['date: 2020-01-01', 'title: is required (text); found nothing'],
  ['title: 5\ndate: 2020-01-01', 'title: must be text; found a number (5)'],
  ['title: T\ndate: [2020]', 'date: must be ISO 8601 text, e.g. 2021-01-18; found a list of 1'],
  [
    'title: T\ndate: 2020-01-01\nkeywords: {a: 1}',
    'keywords: must be a word or a list of words; found a mapping',
  ],
  [
    'title: T\ndate: 2020-01-01\nurl: javascript:alert(1)',
    'url: must be an http(s) URL; found text "javascript:alert(1)"',
  ],
];

describe('problems in an entry file', () => {
  it.each(BROKEN_ENTRIES)('are said in words: %j', async (frontMatter, reason) => {
    const temp = await makeTempDir();
    dir = temp.dir;
    await writeFile(
      join(temp.messagesDir, 'entries', 'broken.md'),
      `---\n${frontMatter}\n---\nbody`,
    );
    const { log, lines } = memoryLogger();
    await new ContentLibrary(join(temp.messagesDir, 'entries'), TZ, log).load();
    const skipped = lines().find((line) => line.msg === 'entry file skipped');
    expect(skipped?.reason).toBe(reason);
  });
});
