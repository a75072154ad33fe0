import { Router, type Request, type Response } from 'express';
import type { Entry } from '../content/entry.ts';
import { ENTRY_ID } from '../content/parse-entry.ts';
import { updateEntry, writeEntry } from '../content/write-entry.ts';
import { renderMarkdown } from '../http/entry-html.ts';
import { entryBody, saveEntry } from '../http/admin-routes.ts';
import { HttpError, parseOr400 } from '../http/http-error.ts';
import { html, trusted, type SafeHtml } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { EMPTY_FORM, entryForm, formOf, readEntryForm, toNewEntry } from './entry-form.ts';
import type { EntryFormValues } from './entry-form.ts';
import { entryAside, entryList, SECTION } from './entry-list.ts';
import { consolePage } from './shell.ts';

/** The same, as routed: the sections' router is mounted under `/admin`. */
const ROUTE = '/entries';
/** Entries listed on one page; a search narrows them. */
const LIST_LIMIT = 200;
const QUERY_MAX = 100;

/**
 * Entries: the library listed and searched (each as the card a user gets, scheduled ones
 * marked, with the broadcast that sent it), and an editor with a Markdown preview
 * rendered here, by the entry page's renderer. Saving goes through the admin API's path
 * (`saveEntry` with `writeEntry` / `updateEntry`).
 */
export function entriesSection(deps: ConsoleDeps): Router {
  const router = Router();
  const { library } = deps;
  const topics = () => [...deps.engine.rules().topics.keys()];
  const page = (req: Request, title: string, body: SafeHtml) =>
    consolePage(deps.access, req, { title, section: SECTION, body, styles: ['publishing'] });
  const csrf = (req: Request) => deps.access.session(req)?.csrf ?? '';

  router.get(ROUTE, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, QUERY_MAX) : '';
    const found = library
      .all()
      .filter((entry) => matches(entry, q))
      .slice(0, LIST_LIMIT);
    const saved = typeof req.query.saved === 'string' ? req.query.saved : undefined;
    res.type('html').send(page(req, 'Entries', await entryList(found, { q, saved }, deps)));
  });

  const editor = async (
    req: Request,
    res: Response,
    options: { values: EntryFormValues; creating: boolean; error?: string; code?: number },
  ) => {
    const { values, creating } = options;
    const existing = creating ? undefined : library.get(values.id);
    const aside = existing ? await entryAside(existing, deps) : '';
    res
      .status(options.code ?? 200)
      .type('html')
      .send(
        page(
          req,
          creating ? 'New entry' : `Edit “${values.title || values.id}”`,
          html`${entryForm({
            values,
            creating,
            action: creating ? SECTION : `${SECTION}/${values.id}`,
            topics: topics(),
            csrf: csrf(req),
            error: options.error,
          })}
          ${aside}`,
        ),
      );
  };

  router.get(`${ROUTE}/new`, async (req, res) => {
    await editor(req, res, { values: EMPTY_FORM, creating: true });
  });

  router.post(`${ROUTE}/preview`, (req, res) => {
    const body = readEntryForm(req.body as Record<string, unknown>).body;
    // Rendered here by the entry page's renderer: raw HTML is written out as text.
    res.type('html').send(trusted(renderMarkdown(body)).text);
  });

  router.get(`${ROUTE}/:id`, async (req, res) => {
    const entry = ENTRY_ID.test(req.params.id) ? library.get(req.params.id) : undefined;
    if (!entry) throw new HttpError(404, `there is no entry "${req.params.id.slice(0, 100)}"`);
    await editor(req, res, { values: formOf(entry), creating: false });
  });

  const save =
    (creating: boolean) =>
    async (req: Request<{ id?: string }>, res: Response): Promise<void> => {
      const values = readEntryForm(req.body as Record<string, unknown>);
      if (!creating) values.id = req.params.id ?? '';
      try {
        const fields = parseOr400(entryBody, toNewEntry(values), 'form');
        const write = creating ? writeEntry : updateEntry;
        const entry = await saveEntry(deps, () => write(deps.library.dir, fields, deps.timeZone));
        res.redirect(303, `${SECTION}?saved=${encodeURIComponent(entry.id)}`);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        await editor(req, res, { values, creating, error: error.message, code: error.status });
      }
    };
  router.post(ROUTE, save(true));
  router.post(`${ROUTE}/:id`, save(false));
  return router;
}

/** A search over what the operator sees: id, title, summary, keywords, topics. */
function matches(entry: Entry, q: string): boolean {
  if (!q) return true;
  const wanted = q.toLowerCase();
  return [entry.id, entry.title, entry.summary, ...entry.keywords, ...entry.topics].some((text) =>
    text.toLowerCase().includes(wanted),
  );
}
