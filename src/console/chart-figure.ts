import { html, type SafeHtml } from '../web/html.ts';

/** What one chart of the console shows; `client/charts.ts` draws it with Chart.js. */
export interface ChartSpec {
  id: string;
  caption: string;
  kind: 'bar' | 'line';
  /** Bars run left to right (long labels, such as queries, read better so). */
  horizontal?: boolean;
  stacked?: boolean;
  labels: string[];
  series: { name: string; values: number[] }[];
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string;
}

/**
 * A chart as a figure: its caption, a canvas the client draws into (the data rides in a
 * `data-chart` attribute, since the page may hold no inline script), and the same numbers
 * as a table that screen readers read and sighted users never see (inside a hidden box:
 * a table's own height cannot be made smaller than its rows).
 */
export function chartFigure(spec: ChartSpec): SafeHtml {
  const captionId = `${spec.id}-caption`;
  const hasData = spec.labels.length > 0 && spec.series.some((s) => s.values.some((v) => v > 0));
  return html`<figure class="chart" id="${spec.id}">
    <figcaption id="${captionId}">${spec.caption}</figcaption>
    ${
      hasData
        ? html`<div class="chart-box" aria-hidden="true">
              <canvas data-chart="${JSON.stringify(spec)}"></canvas>
            </div>
            <div class="visually-hidden">
              <table aria-labelledby="${captionId}">
                <thead>
                  <tr>
                    <th scope="col"></th>
                    ${spec.series.map((s) => html`<th scope="col">${s.name}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${spec.labels.map(
                    (label, i) =>
                      html`<tr>
                        <th scope="row">${label}</th>
                        ${spec.series.map((s) => html`<td>${s.values[i] ?? 0}</td>`)}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
        : html`<p class="chart-empty">${spec.empty ?? 'Nothing to show yet.'}</p>`
    }
  </figure>`;
}
