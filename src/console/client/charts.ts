import type { Chart as ChartClass, ChartConfiguration } from 'chart.js';
import type { ChartSpec } from '../chart-figure.ts';

/** Chart.js, loaded as a classic script (`/assets/vendor/chart.umd.min.js`) on pages with charts. */
declare const Chart: typeof ChartClass | undefined;

/** Colours by series name where the name means something (a failure is red), else in turn. */
const NAMED: Record<string, string> = {
  active: '#07c160',
  unsubscribed: '#9e9e9e',
  blocked: '#c62828',
  sent: '#07c160',
  failed: '#c62828',
};
const PALETTE = ['#1a73e8', '#07c160', '#f29900', '#9334e6', '#c62828'];

function configOf(spec: ChartSpec): ChartConfiguration {
  const scale = { stacked: spec.stacked ?? false, beginAtZero: true };
  return {
    type: spec.kind,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series, i) => ({
        label: series.name,
        data: series.values,
        backgroundColor: NAMED[series.name] ?? PALETTE[i % PALETTE.length],
        borderColor: NAMED[series.name] ?? PALETTE[i % PALETTE.length],
      })),
    },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { ...scale, ticks: { precision: 0 } },
        y: { ...scale, ticks: { precision: 0 } },
      },
      plugins: { legend: { display: spec.series.length > 1 } },
    },
  };
}

/** Draws every `canvas[data-chart]` of the page; the figure's table already holds the numbers. */
export function drawCharts(root: ParentNode = document): void {
  if (typeof Chart === 'undefined') return;
  for (const canvas of root.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
    const spec = JSON.parse(canvas.dataset.chart ?? '{}') as ChartSpec;
    new Chart(canvas, configOf(spec));
  }
}
