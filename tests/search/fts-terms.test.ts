import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ftsTerms } from '../../src/search/fts-terms.ts';
import { Database } from '../../src/sqlite/driver.ts';
import { indexTerms } from '../../src/text/tokenize.ts';

const SAMPLE_ENTRIES = join(import.meta.dirname, '../fixtures/messages/entries');

/** Words through every step of Porter's algorithm, and folding (case, width, diacritics). */
const WORDS = `caresses ponies ties caress cats feed agreed plastered bled motoring sing
  conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky
  relational conditional rational valenci hesitanci digitizer conformabli radicalli
  differentli vileli analogousli vietnamization predication operator feudalism decisiveness
  hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize
  electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic
  adjustable defensible irritant replacement adjustment dependent adoption homologou
  communism activate angulariti homologous effective bowdlerize probate rate cease controll
  roll generalizations oscillators sses ies eed ing ed eeds bleed yy y ss Café NAÏVE Ｃａｆé résumé Straße 2021年
  中国ing 人类命运共同体`;

/** The terms SQLite's FTS5 makes of `text`, as the archive index's table is declared. */
function fts5Terms(text: string): string[] {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance');`);
    db.prepare('INSERT INTO t (x) VALUES (?)').run(text);
    const rows = db.prepare('SELECT term FROM v ORDER BY offset').all() as { term: string }[];
    return rows.map((row) => row.term);
  } finally {
    db.close();
  }
}

describe('the terms the PostgreSQL index is built from', () => {
  it('are the terms FTS5 makes: the same words, folded and stemmed alike', () => {
    const text = indexTerms(WORDS);
    expect(ftsTerms(text)).toEqual(fts5Terms(text));
  });

  it('are the terms FTS5 makes of every entry of the sample archive', async () => {
    for (const name of await readdir(SAMPLE_ENTRIES)) {
      const text = indexTerms(await readFile(join(SAMPLE_ENTRIES, name), 'utf8'));
      expect(ftsTerms(text), name).toEqual(fts5Terms(text));
    }
  });
});
