import type { Request } from 'express';
import { html, type SafeHtml } from '../web/html.ts';
import { layout } from '../web/layout.ts';
import type { Access } from '../web/access.ts';

/** The console's sections, in the order of its navigation. */
export const SECTIONS = [
  { path: '/admin', name: 'Dashboard' },
  { path: '/admin/entries', name: 'Entries' },
  { path: '/admin/rules', name: 'Rules and menu' },
  { path: '/admin/broadcasts', name: 'Broadcasts' },
  { path: '/admin/schedule', name: 'Schedule' },
  { path: '/admin/subscribers', name: 'Subscribers' },
  { path: '/admin/unanswered', name: 'Unanswered' },
] as const;

export type SectionPath = (typeof SECTIONS)[number]['path'];

/**
 * A console page: the navigation (the current section marked for screen readers too),
 * sign-out, and the section's content. htmx and its SSE extension are loaded on every
 * page, with the session's CSRF token as a request header; charts where a page asks.
 */
export function consolePage(
  access: Access,
  req: Request,
  parts: {
    title: string;
    /** The section marked current in the navigation; none for a page of no section. */
    section?: SectionPath;
    body: SafeHtml;
    charts?: boolean;
    /** More style sheets of the console's (`/assets/console/<name>.css`). */
    styles?: string[];
  },
): string {
  const csrf = access.session(req)?.csrf;
  return layout({
    title: `${parts.title} · oasim console`,
    csrf,
    bodyClass: 'console',
    styles: [
      '/assets/console/console.css',
      '/assets/console/panels.css',
      ...(parts.styles ?? []).map((name) => `/assets/console/${name}.css`),
    ],
    vendor: [
      '/assets/vendor/htmx.min.js',
      '/assets/vendor/htmx-sse.min.js',
      ...(parts.charts ? ['/assets/vendor/chart.umd.min.js'] : []),
    ],
    scripts: ['/assets/console/console.js'],
    body: html`<a class="skip" href="#main">Skip to content</a>
      <header class="console-header">
        <span class="brand">oasim console</span>
        <nav aria-label="Sections">
          <ul>
            ${SECTIONS.map(
              (s) =>
                html`<li>
                  <a href="${s.path}" ${s.path === parts.section ? html` aria-current="page"` : ''}
                    >${s.name}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>
        <form method="post" action="/logout" class="logout">
          <input type="hidden" name="_csrf" value="${csrf ?? ''}" />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" tabindex="-1">
        <h1>${parts.title}</h1>
        ${parts.body}
      </main>`,
  }).text;
}
