import type { ScriptResult, StepFailure } from './runner.ts';

/** One script that could not even start: unreadable, or invalid. */
export interface ScriptProblem {
  file: string;
  message: string;
}

/**
 * The mismatch as a person reads it: where (file, line, step), what the step did, and
 * expected against actual, one per line, marked like a diff.
 */
export function formatFailure(result: ScriptResult, failure: StepFailure): string {
  return [
    `${result.file}:${failure.line}: step ${failure.step} of ${result.steps}: ${failure.title}`,
    `  ${failure.what}`,
    `  - expected: ${failure.expected}`,
    `  + actual:   ${failure.actual}`,
  ].join('\n');
}

/** A line per script, the diff under a failed one, and a total. */
export function formatReport(results: ScriptResult[], problems: ScriptProblem[] = []): string {
  const lines: string[] = [];
  for (const problem of problems) lines.push(`✗ ${problem.file}`, indent(problem.message));
  for (const result of results) {
    const ms = `${result.durationMs} ms`;
    if (!result.failure) {
      lines.push(`✓ ${result.name} (${result.file}, ${result.steps} steps, ${ms})`);
      continue;
    }
    lines.push(
      `✗ ${result.name} (${result.file}, ${ms})`,
      indent(formatFailure(result, result.failure)),
    );
  }
  const passed = results.filter((r) => r.passed).length;
  lines.push('', `${passed} passed, ${results.length + problems.length - passed} failed`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
