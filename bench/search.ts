/**
 * Archive search over 100,000 synthetic entries of 200 words: our SQLite FTS5 index,
 * against the two in-memory libraries the issue names (minisearch, flexsearch), each
 * with the same tokenizer so all three see the same terms. Figures: index build time,
 * memory added, and median / p99 time of one query.
 */
import FlexSearch from 'flexsearch';
import MiniSearch from 'minisearch';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveIndex } from '../src/search/archive-index.ts';
import { sqliteArchiveIndex } from '../src/search/sqlite-archive-index.ts';
import { createSqliteGate } from '../src/store/sqlite-gate.ts';
import { openDatabase } from '../src/store/database.ts';
import { indexTerms } from '../src/text/tokenize.ts';
import { rng, syntheticEntries } from './lib/synthetic.ts';
import type { BenchRow } from './lib/table.ts';

const COUNT = Number(process.env.BENCH_SEARCH_ENTRIES ?? 100_000);
const QUERIES = 2000;

interface Candidate {
  name: string;
  build(): void | Promise<void>;
  /** A promise is awaited, so that its time counts. */
  query(q: string): unknown;
  /** Extra bytes not on the JS heap (the database file for FTS5). */
  offHeapBytes?: () => number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const heapUsed = () => {
  global.gc?.();
  return process.memoryUsage().heapUsed;
};

export async function searchBench(): Promise<BenchRow[]> {
  const { entries, words } = syntheticEntries(COUNT);
  const random = rng(7);
  // Queries of one to three words drawn across the vocabulary's ranks, skipping the 50
  // most common words (stop-word-like in Zipfian text), as people search for distinctive words.
  const queries = Array.from({ length: QUERIES }, () =>
    Array.from(
      { length: 1 + Math.floor(random() * 3) },
      () => words[50 + Math.floor(random() * (words.length - 50))]!,
    ).join(' '),
  );
  const docs = () =>
    entries.map((e, i) => ({
      id: i,
      title: indexTerms(e.title),
      summary: indexTerms(e.summary),
      keywords: indexTerms(e.keywords.join(' ')),
      body: indexTerms(e.body),
    }));

  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-search-'));
  const dbFile = join(dir, 'search.db');
  let fts: ArchiveIndex | undefined;
  let mini: MiniSearch | undefined;
  let flex: InstanceType<typeof FlexSearch.Document> | undefined;
  const split = (text: string) => text.split(' ');

  const candidates: Candidate[] = [
    {
      name: 'SQLite FTS5 (ours)',
      build: async () => {
        fts = sqliteArchiveIndex(createSqliteGate(openDatabase(dbFile)));
        await fts.syncAll(entries);
      },
      query: (q) => fts!.search(q, { limit: 5 }),
      offHeapBytes: () =>
        statSync(dbFile).size + (statSync(`${dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0),
    },
    {
      name: 'minisearch',
      build: () => {
        mini = new MiniSearch({
          fields: ['title', 'summary', 'keywords', 'body'],
          tokenize: split,
          processTerm: (t) => t,
        });
        mini.addAll(docs());
      },
      query: (q) =>
        mini!
          .search(indexTerms(q), {
            boost: { title: 10, keywords: 6, summary: 4 },
            combineWith: 'AND',
          })
          .slice(0, 5),
    },
    {
      name: 'flexsearch',
      build: () => {
        flex = new FlexSearch.Document({
          document: { id: 'id', index: ['title', 'summary', 'keywords', 'body'] },
          tokenize: 'strict',
          encode: split,
        });
        for (const doc of docs()) flex.add(doc);
      },
      query: (q) => flex!.search(indexTerms(q), { limit: 5 }),
    },
  ];

  const only = process.env.BENCH_SEARCH_ONLY?.split(',');
  const rows: BenchRow[] = [];
  let baseline: { median: number; p99: number; build: number; memory: number } | undefined;
  for (const candidate of candidates) {
    if (only && !only.some((o) => candidate.name.includes(o))) continue;
    console.error(`  search: ${candidate.name} over ${COUNT} entries ...`);
    const before = heapUsed();
    const started = performance.now();
    await candidate.build();
    const build = (performance.now() - started) / 1000;
    const memory = (heapUsed() - before + (candidate.offHeapBytes?.() ?? 0)) / 1024 / 1024;
    for (const q of queries.slice(0, 200)) await candidate.query(q);
    const times: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await candidate.query(q);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const figures = { median: percentile(times, 0.5), p99: percentile(times, 0.99), build, memory };
    const name = `search ${COUNT / 1000}k: ${candidate.name}`;
    const isOurs = !baseline;
    const base = (key: keyof typeof figures) =>
      isOurs ? undefined : { name: 'FTS5', value: baseline![key] };
    rows.push(
      {
        name,
        metric: 'query median',
        value: figures.median,
        unit: 'ms',
        baseline: base('median'),
        target: isOurs ? '< 1 ms' : undefined,
      },
      {
        name,
        metric: 'query p99',
        value: figures.p99,
        unit: 'ms',
        baseline: base('p99'),
        target: isOurs ? '< 10 ms' : undefined,
      },
      {
        name,
        metric: 'index build',
        value: figures.build,
        unit: 's',
        baseline: base('build'),
        target: isOurs ? '< 10 s' : undefined,
      },
      {
        name,
        metric: 'memory (heap + file)',
        value: figures.memory,
        unit: 'MB',
        baseline: base('memory'),
        target: isOurs ? '< 300 MB' : undefined,
      },
    );
    baseline ??= figures;
    fts = undefined;
    mini = undefined;
    flex = undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}
