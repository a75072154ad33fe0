import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXml, toJunitXml } from '../../../src/simulator/scripts/junit.ts';
import { formatReport } from '../../../src/simulator/scripts/report.ts';
import type { ScriptResult } from '../../../src/simulator/scripts/runner.ts';

const PASSED: ScriptResult = {
  file: 'tests/conversations/follow.yaml',
  name: 'a follower is welcomed',
  passed: true,
  steps: 3,
  ran: 3,
  durationMs: 1250,
};
/** Outside input in every field: markup, quotes, an ampersand and a control character. */
const HOSTILE_TEXT = 'a <b>"quoted"</b> & \'single\' \u0007 reply ]]>';
const FAILED: ScriptResult = {
  file: 'tests/conversations/<odd> & "name".yaml',
  name: 'search finds <70th> & more',
  passed: false,
  steps: 4,
  ran: 2,
  durationMs: 500,
  failure: {
    step: 2,
    line: 7,
    title: 'alice: say "anniversary"',
    what: 'reply',
    expected: '1 articles, titles [containing "70th"]',
    actual: `text ${JSON.stringify(HOSTILE_TEXT)}`,
  },
};
const PROBLEM = {
  file: 'broken.yaml',
  message: 'broken.yaml:3: step 1: alice: must be <an action>',
};

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

describe('JUnit XML of a run', () => {
  it('is well-formed XML with one testcase per script and the counts', () => {
    const xml = toJunitXml([PASSED, FAILED], [PROBLEM]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(doc.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    expect(suite.testcase).toHaveLength(3);
    expect(suite.testcase[0]).toMatchObject({
      name: PASSED.name,
      classname: PASSED.file,
      time: '1.250',
    });
  });

  it('carries the diff of a failure, its escaped text read back unchanged', () => {
    const doc = parser.parse(toJunitXml([FAILED]));
    const failure = doc.testsuites.testsuite.testcase.failure;
    expect(doc.testsuites.testsuite.testcase.name).toBe(FAILED.name);
    expect(failure.message).toBe('step 2: reply differs');
    expect(failure['#text']).toContain(`${FAILED.file}:7: step 2 of 4`);
    expect(failure['#text']).toContain(`+ actual:   ${FAILED.failure?.actual}`);
  });

  it('is well-formed with no results at all', () => {
    const xml = toJunitXml([]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parser.parse(xml).testsuites).toMatchObject({ tests: '0', failures: '0' });
  });

  it.each([
    ['markup', '<a>', '&lt;a&gt;'],
    ['an ampersand', 'R&D', 'R&amp;D'],
    ['quotes', `"it's"`, '&quot;it&apos;s&quot;'],
    ['a control character', 'bell\u0007', 'bell\uFFFD'],
    ['a lone surrogate', 'x\uD800y', 'x\uFFFDy'],
    ['Chinese and emoji', '中联部 🎉', '中联部 🎉'],
  ])('escapes %s', (_name, text, escaped) => {
    expect(escapeXml(text)).toBe(escaped);
  });
});

describe('the printed report', () => {
  it('marks each script and gives the totals, scripts that did not parse among the failed', () => {
    const report = formatReport([PASSED, FAILED], [PROBLEM]);
    expect(report).toContain(`✓ ${PASSED.name} (${PASSED.file}, 3 steps`);
    expect(report).toContain(`✗ ${FAILED.name}`);
    expect(report).toContain(`✗ ${PROBLEM.file}`);
    expect(report).toContain(PROBLEM.message);
    expect(report.trim().split('\n').at(-1)).toBe('1 passed, 2 failed');
  });

  it('shows expected and actual on lines of their own under the step', () => {
    const lines = formatReport([FAILED]).split('\n');
    const at = lines.findIndex((line) =>
      line.includes(':7: step 2 of 4: alice: say "anniversary"'),
    );
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4).map((l) => l.trim())).toEqual([
      'reply',
      `- expected: ${FAILED.failure?.expected}`,
      `+ actual:   ${FAILED.failure?.actual}`,
    ]);
  });
});
