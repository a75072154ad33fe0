import { Router } from 'express';
import type { ContentView } from '../content/library.ts';
import { ENTRY_ID } from '../content/parse-entry.ts';
import { entryCss } from './entry-assets.ts';
import { archiveHtml, entryHtml } from './entry-html.ts';
import { HttpError } from './http-error.ts';

/** Entries listed on the archive page; the rest are found by searching. */
const ARCHIVE_LIMIT = 500;

/**
 * `GET /entries/:id`, the page an article card links to when the entry has no URL of its
 * own; `GET /entries`, the archive of published entries; `GET /assets/entry.css`. An entry
 * not yet published is not found, exactly like an unknown one, by the service's clock.
 */
export function entryPage({
  library,
  now = () => new Date(),
  title = 'Archive',
}: {
  library: ContentView;
  now?: () => Date;
  title?: string;
}): Router {
  const router = Router();
  const timeZone = library.timeZone ?? 'UTC';
  router.get('/assets/entry.css', entryCss);
  router.get('/entries', (_req, res) => {
    const entries = library.latest(ARCHIVE_LIMIT + 1, { now: now() });
    res.type('html').send(
      archiveHtml(entries.slice(0, ARCHIVE_LIMIT), {
        timeZone,
        title,
        more: entries.length > ARCHIVE_LIMIT,
      }),
    );
  });
  router.get('/entries/:id', (req, res) => {
    const { id } = req.params;
    const entry = ENTRY_ID.test(id) ? library.published(id, now()) : undefined;
    if (!entry) throw new HttpError(404, `no entry "${id.slice(0, 100)}"`);
    res.type('html').send(entryHtml(entry, { timeZone }));
  });
  return router;
}
