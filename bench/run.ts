/**
 * `npm run bench`: every suite, one run, one table. Each suite measures its own baseline
 * in the same run (a bare express endpoint, a bare bulk insert), so ratios compare like
 * with like on whatever machine runs it. `BENCH_SECONDS` sets each HTTP load's length;
 * `BENCH_ONLY=name,...` runs some suites.
 */
import { printTable, type BenchRow } from './lib/table.ts';
import { suites } from './suites.ts';

const only = process.env.BENCH_ONLY?.split(',');
const rows: BenchRow[] = [];
for (const [name, suite] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  console.error(`running ${name} ...`);
  rows.push(...(await suite()));
}
printTable(rows);
