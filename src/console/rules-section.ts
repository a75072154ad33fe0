import { Router } from 'express';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { consolePage } from './shell.ts';

/** Rules and menu: not built yet (a placeholder the console's navigation can reach). */
export function rulesSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/rules', (req, res) => {
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Rules and menu',
        section: '/admin/rules',
        body: html`<p>This section is not built yet.</p>`,
      }),
    );
  });
  return router;
}
