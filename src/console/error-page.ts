import type { Request, RequestHandler } from 'express';
import { errorsAsPages } from '../http/error-handler.ts';
import { HttpError } from '../http/http-error.ts';
import type { Access } from '../web/access.ts';
import { html } from '../web/html.ts';
import { consolePage, SECTIONS } from './shell.ts';

/** The path asked for, as a person reads it (`%E5%85%AC` as 公), and not past 200 characters. */
function pathOf(req: Request): string {
  const raw = `${req.baseUrl}${req.path}`;
  try {
    return decodeURIComponent(raw).slice(0, 200);
  } catch {
    return raw.slice(0, 200);
  }
}

/** The section a console path belongs to (`/admin/entries/x/edit`: Entries), if any. */
function sectionOf(path: string) {
  return SECTIONS.find((s) => s.path !== '/admin' && path.startsWith(`${s.path}/`));
}

const sentence = (message: string) =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;

/** The heading of an error page, by status. */
function headingOf(status: number): string {
  if (status === 404) return 'Not found';
  if (status >= 500) return 'Something went wrong';
  return 'Not done';
}

/**
 * A console error in the console's frame: what was not found or refused, in the words
 * the API would give, and the way back. Never a stack: a 500 says only that it failed.
 */
export function errorPage(access: Access, req: Request, status: number, message: string): string {
  const path = pathOf(req);
  const section = sectionOf(path);
  const back = section ?? SECTIONS[0];
  return consolePage(access, req, {
    title: headingOf(status),
    section: section?.path,
    styles: ['publishing'],
    body: html`<p class="error" role="alert">
        ${status >= 500 ? 'The console could not show this page; the log says why.' : sentence(message)}
      </p>
      <p class="muted">${status} · <code>${req.method} ${path}</code></p>
      <p><a href="${back.path}">Back to ${back.name}</a></p>`,
  });
}

/** Has the errors of the console's pages answered as pages (see `errorsAsPages`). */
export function consoleErrorPages(access: Access): RequestHandler {
  return (req, res, next) => {
    errorsAsPages(res, (status, message) => errorPage(access, req, status, message));
    next();
  };
}

/** An `/admin/...` path no section serves: a 404 naming it. */
export const noSuchPage: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `there is no page ${pathOf(req)}`));
};
