import escapeHtml from 'escape-html';

/** HTML that is already safe to put in a page: built by `html` or marked with `trusted`. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/**
 * A template of HTML in which every interpolated value is escaped, unless it is itself
 * `SafeHtml` (a nested `html` template); lists are joined; null, undefined and false
 * render nothing. The one way pages are written, so nothing reaches a page unescaped.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks text made by this program (never from outside) as HTML, e.g. rendered Markdown. */
export const trusted = (text: string) => new SafeHtml(text);
