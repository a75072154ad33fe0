import { formatFailure, type ScriptProblem } from './report.ts';
import type { ScriptResult } from './runner.ts';

/**
 * JUnit XML for CI: one testcase per script, a failure carrying the diff; a script that
 * could not be read is an error. Only XML 1.0's characters are kept, and every text is
 * escaped, since replies and file names are outside input.
 */
export function toJunitXml(
  results: ScriptResult[],
  problems: ScriptProblem[] = [],
  suite = 'conversation scripts',
): string {
  const failures = results.filter((r) => !r.passed).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  const cases = [
    ...results.map((r) => {
      const open = `    <testcase name="${escapeXml(r.name)}" classname="${escapeXml(r.file)}" time="${seconds(r.durationMs)}"`;
      if (!r.failure) return `${open}/>`;
      const message = `step ${r.failure.step}: ${r.failure.what} differs`;
      return [
        `${open}>`,
        `      <failure message="${escapeXml(message)}" type="mismatch">${escapeXml(formatFailure(r, r.failure))}</failure>`,
        '    </testcase>',
      ].join('\n');
    }),
    ...problems.map((p) =>
      [
        `    <testcase name="${escapeXml(p.file)}" classname="${escapeXml(p.file)}" time="0.000">`,
        `      <error message="${escapeXml(p.message)}" type="invalid script"/>`,
        '    </testcase>',
      ].join('\n'),
    ),
  ];
  const counts = `tests="${results.length + problems.length}" failures="${failures}" errors="${problems.length}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(suite)}" ${counts} time="${seconds(total)}">`,
    `  <testsuite name="${escapeXml(suite)}" ${counts} skipped="0" time="${seconds(total)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Text fit for an XML attribute or element: escaped, without characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
