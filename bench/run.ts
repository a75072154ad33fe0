/**
 * `npm run bench`: every suite, one table. Each suite measures its own baseline in the
 * same run (a bare express endpoint, a bare bulk insert), so ratios compare like with like
 * on whatever machine runs it. Each suite runs in a process of its own, so one suite's
 * heap and peak memory do not count against the next. `BENCH_SECONDS` sets each HTTP
 * load's length; `BENCH_ONLY=name,...` runs some suites. The PostgreSQL suites (`*-pg`,
 * `dispatch-instances`) run on DATABASE_URL, each in a fresh schema dropped at the end;
 * without it they print a note and add no rows.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { printTable, type BenchRow } from './lib/table.ts';
import { suites } from './suites.ts';

const only = process.env.BENCH_ONLY?.split(',');
const rows: BenchRow[] = [];
for (const name of Object.keys(suites)) {
  if (only && !only.includes(name)) continue;
  console.error(`running ${name} ...`);
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'run-suite.ts'), name],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = output.split('\n').find((l) => l.startsWith('ROWS '));
  if (code !== 0 || !line) {
    console.error(`suite ${name} failed (exit ${code})`);
    process.exitCode = 1;
    continue;
  }
  rows.push(...(JSON.parse(line.slice('ROWS '.length)) as BenchRow[]));
}
printTable(rows);
