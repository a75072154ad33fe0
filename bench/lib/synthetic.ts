import type { Entry } from '../../src/content/entry.ts';

/** A small deterministic PRNG (mulberry32), so every run indexes and queries the same text. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  'shi',
  'po',
  'ven',
  'dor',
  'al',
  'is',
  'em',
  'qu',
  'zan',
  'bel',
];

/** A vocabulary of `size` pseudo-words plus some Chinese two-character words. */
export function vocabulary(size: number, random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  const han = '党际交流对话合作发展治理青年论坛考察会见友好政党国际新闻办公';
  for (let i = 0; i < size / 20; i++) {
    words.add(han[Math.floor(random() * han.length)]! + han[Math.floor(random() * han.length)]!);
  }
  return [...words];
}

/** Word ranks follow Zipf's law, as in real text: a few words are everywhere, most are rare. */
export function zipfPicker(words: string[], random: () => number): () => string {
  const weights = words.map((_, i) => 1 / (i + 1));
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w));
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
}

/** `count` entries of `bodyWords` words each, with titles, summaries and keywords. */
export function syntheticEntries(
  count: number,
  bodyWords = 200,
  seed = 42,
): { entries: Entry[]; words: string[] } {
  const random = rng(seed);
  const words = vocabulary(20_000, random);
  const pick = zipfPicker(words, random);
  const sentence = (n: number) => Array.from({ length: n }, pick).join(' ');
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const date = new Date(Date.UTC(2015, 0, 1) + i * 3_600_000);
    entries.push({
      id: `e${i}`,
      title: sentence(6),
      date: date.toISOString(),
      publishedAt: date,
      summary: sentence(20),
      keywords: Array.from({ length: 4 }, pick),
      topics: [],
      body: sentence(bodyWords),
      hash: String(i),
    });
  }
  return { entries, words };
}
