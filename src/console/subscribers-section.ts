import { Router } from 'express';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { consolePage } from './shell.ts';

/** Subscribers: not built yet (a placeholder the console's navigation can reach). */
export function subscribersSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/subscribers', (req, res) => {
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Subscribers',
        section: '/admin/subscribers',
        body: html`<p>This section is not built yet.</p>`,
      }),
    );
  });
  return router;
}
