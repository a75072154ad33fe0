import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_MESSAGES } from '../helpers/temp-service.ts';
import { engineFixture, shown, type EngineFixture } from './engine-fixture.ts';

/** Names Object.prototype has: a plain-object lookup keyed by user text finds these. */
export const PROTOTYPE_WORDS = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
];
/** The same words as people may type them: upper case, full width, with more words after. */
export const PROTOTYPE_VARIANTS = [
  ...PROTOTYPE_WORDS,
  'CONSTRUCTOR',
  'Constructor please',
  'ＣＯＮＳＴＲＵＣＴＯＲ',
  'ｔｏＳｔｒｉｎｇ',
  '__PROTO__ hello',
  'valueOf 3',
];

const DEFAULT_REPLY = 'Sorry, I found nothing on that';
const ODD_TOPIC = 'constructor';

/** The fixture's rules with one more declared topic, `constructor`, whose aliases are odd too. */
export async function rulesWithOddTopic(): Promise<string> {
  const rules = await readFile(join(SAMPLE_MESSAGES, 'rules.yaml'), 'utf8');
  return rules
    .replace(
      /^topics:\n/m,
      `topics:\n  ${ODD_TOPIC}: { label: 构造, aliases: [__proto__, toString] }\n  __proto__: { label: 原型 }\n`,
    )
    .replace(
      /^rules:\n/m,
      'rules:\n  - name: hasOwnProperty\n    keywords: [valueOf, { keyword: __proto__, match: contain }]\n    replies: [{ text: odd rule answered }]\n',
    );
}

export const ODD_ENTRY = `---
title: An entry with odd topics
date: 2020-01-01
topics: [constructor, __proto__, events]
keywords: [oddity]
---
Body.
`;

let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('words that are names of Object.prototype', () => {
  it('are ordinary messages: searched, then answered with the default reply', async () => {
    fixture = await engineFixture();
    for (const word of PROTOTYPE_VARIANTS) {
      const replies = await fixture.say('proto', word);
      expect(shown(replies), word).toEqual([expect.stringContaining(DEFAULT_REPLY)]);
    }
  });

  it('are unknown topics to subscribe to or leave, in English and Chinese', async () => {
    fixture = await engineFixture();
    for (const word of PROTOTYPE_VARIANTS) {
      for (const command of ['subscribe', 'unsubscribe', '订阅', '退订']) {
        const [answer] = shown(await fixture.say('proto', `${command} ${word}`));
        expect(answer, `${command} ${word}`).toContain('There is no topic');
      }
    }
    const [events] = shown(await fixture.say('proto', 'subscribe events'));
    expect(events).toBe('Subscribed to events (活动). You receive: events (活动).');
  });

  it('are unknown menu keys, answered with the default reply', async () => {
    fixture = await engineFixture();
    for (const key of PROTOTYPE_VARIANTS) {
      const replies = await fixture.send({ user: 'proto', kind: 'event', event: 'click', key });
      expect(shown(replies), key).toEqual([expect.stringContaining(DEFAULT_REPLY)]);
    }
  });

  it('work as declared topics, topic aliases, rule names and rule keywords', async () => {
    fixture = await engineFixture({
      files: { 'rules.yaml': await rulesWithOddTopic(), 'entries/odd-topics.md': ODD_ENTRY },
    });
    // `__proto__` is not a topic name (names start with a letter or digit): refused, and
    // the entry keeps its declared topics only.
    expect(fixture.library.get('odd-topics')?.topics).toEqual(['constructor', 'events']);
    expect(fixture.logLines()).toContainEqual(
      expect.objectContaining({ where: 'topic "__proto__"', file: expect.any(String) }),
    );
    expect(shown(await fixture.say('odd', 'subscribe constructor'))).toEqual([
      'Subscribed to constructor (构造). You receive: constructor (构造).',
    ]);
    expect(shown(await fixture.say('odd', 'subscribe tostring'))[0]).toContain(
      'constructor (构造)',
    );
    expect(shown(await fixture.say('odd', '订阅 events'))[0]).toContain('events (活动)');
    expect(shown(await fixture.say('odd', 'topics'))[0]).toContain('✓ constructor (构造)');
    expect(shown(await fixture.say('odd', 'valueOf'))).toEqual(['odd rule answered']);
    expect(shown(await fixture.say('odd', 'what is __proto__ for'))).toEqual(['odd rule answered']);
    expect(shown(await fixture.say('odd', 'oddity'))).toEqual(['odd-topics']);
  });
});
