import { html, type SafeHtml } from './html.ts';

export interface PageParts {
  title: string;
  body: SafeHtml;
  /** The session's CSRF token: in a meta tag for scripts, and sent by htmx as a header. */
  csrf?: string;
  /** Style sheets and module scripts, by URL (served by this service, never a CDN). */
  styles?: string[];
  scripts?: string[];
  /** Classic (non-module) scripts, in order, before the modules: vendor libraries. */
  vendor?: string[];
  bodyClass?: string;
}

/**
 * Every page's frame: UTF-8, a phone-sized viewport, the base styles, no inline script
 * (the Content-Security-Policy forbids it). htmx, where a page uses it, reads its request
 * header from `hx-headers` and is told not to evaluate anything.
 */
export function layout(parts: PageParts): SafeHtml {
  const headers = parts.csrf ? JSON.stringify({ 'X-CSRF-Token': parts.csrf }) : undefined;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false,"selfRequestsOnly":true}'>
${parts.csrf ? html`<meta name="csrf-token" content="${parts.csrf}" />` : ''}
<title>${parts.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/web/base.css">
${(parts.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}" />`)}
${(parts.vendor ?? []).map((src) => html`<script src="${src}" defer></script>`)}
${(parts.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body${parts.bodyClass ? html` class="${parts.bodyClass}"` : ''}${headers ? html` hx-headers="${headers}"` : ''}>
${parts.body}
</body>
</html>
`;
}
