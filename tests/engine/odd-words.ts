import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_MESSAGES } from '../helpers/temp-service.ts';

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
