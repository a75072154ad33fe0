/** One measured figure, with the baseline of the same run it is compared to. */
export interface BenchRow {
  /** What was measured, e.g. "POST /api/chat keyword reply". */
  name: string;
  metric: string;
  value: number;
  unit: string;
  /** The baseline's figure for the same metric, measured in the same run. */
  baseline?: { name: string; value: number };
  /** The goal, e.g. ">= 0.7x" or "< 1 ms": shown beside the figure, never asserted. */
  target?: string;
}

const fmt = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

/** Prints the rows as a table; the ratio is value / baseline. */
export function printTable(rows: BenchRow[]): void {
  const lines = rows.map((row) => [
    row.name,
    row.metric,
    `${fmt(row.value)} ${row.unit}`,
    row.baseline ? `${fmt(row.baseline.value)} ${row.unit} (${row.baseline.name})` : '',
    row.baseline ? `${(row.value / row.baseline.value).toFixed(2)}x` : '',
    row.target ?? '',
  ]);
  const header = ['benchmark', 'metric', 'value', 'baseline (same run)', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(render(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(render(line));
}
