import { html, type SafeHtml } from '../web/html.ts';

/**
 * The console's one table: a caption for screen readers, column headings, a row per item,
 * scrolling sideways on a narrow screen. Each caller says how an item becomes its cells.
 */
export function dataTable<T>(parts: {
  caption: string;
  columns: readonly string[];
  items: readonly T[];
  row: (item: T) => SafeHtml;
}): SafeHtml {
  return html`<div class="table-scroll">
    <table class="data-table">
      <caption class="visually-hidden">
        ${parts.caption}
      </caption>
      <thead>
        <tr>
          ${parts.columns.map((name) => html`<th scope="col">${name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${parts.items.map(parts.row)}
      </tbody>
    </table>
  </div>`;
}
