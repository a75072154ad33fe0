import type { KeywordRule } from '../content/rules.ts';
import type { LintFinding } from '../engine/rule-lint.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { describeSpec } from './menu-preview.ts';
import { dataTable } from './data-table.ts';

const KINDS: Record<LintFinding['kind'], string> = {
  hidden: 'Never reached',
  overlap: 'Overlap',
  limit: 'Limit',
};

/** The lint's findings in words, or that there are none. */
export function lintList(findings: readonly LintFinding[]): SafeHtml {
  return html`<section aria-labelledby="lint-title">
    <h2 id="lint-title">Lint</h2>
    ${
      findings.length
        ? html`<ul class="lint">
            ${findings.map(
              (f) =>
                html`<li class="lint-${f.kind}">
                  <strong>${KINDS[f.kind]}:</strong> ${f.message}
                </li>`,
            )}
          </ul>`
        : html`<p>No problems found: every keyword can reach its rule.</p>`
    }
  </section>`;
}

/** The keyword rules in engine order, with their keywords, replies and hits. */
export function rulesTable(
  rules: readonly KeywordRule[],
  hits: ReadonlyMap<string, number>,
): SafeHtml {
  return html`<section aria-labelledby="rules-title">
    <h2 id="rules-title">Keyword rules</h2>
    <p class="muted">
      In the order the engine tries them (after the built-in commands); the first match answers.
    </p>
    ${dataTable({
      caption: 'Keyword rules, in the order the engine tries them',
      columns: ['Rule', 'Keywords', 'Replies', 'Hits (all time)'],
      items: rules,
      row: (rule) =>
        html`<tr>
          <th scope="row">${rule.name}</th>
          <td>
            ${rule.keywords.map(
              (k) =>
                html`<span class="keyword"
                  ><code>${k.keyword}</code> <small>${k.match}</small></span
                > `,
            )}
          </td>
          <td>
            ${rule.replyMode === 'random_one' ? html`<small>one of:</small>` : ''}
            <ul class="replies">
              ${rule.replies.map((spec) => html`<li>${describeSpec(spec)}</li>`)}
            </ul>
          </td>
          <td class="hits">${hits.get(rule.name) ?? 0}</td>
        </tr>`,
    })}
  </section>`;
}
