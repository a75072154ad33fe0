import { Router } from 'express';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { consolePage } from './shell.ts';

/** Entries: not built yet (a placeholder the console's navigation can reach). */
export function entriesSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/entries', (req, res) => {
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Entries',
        section: '/admin/entries',
        body: html`<p>This section is not built yet.</p>`,
      }),
    );
  });
  return router;
}
