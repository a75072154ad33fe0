import { Router } from 'express';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { consolePage } from './shell.ts';

/** Unanswered queries: not built yet (a placeholder the console's navigation can reach). */
export function unansweredSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/unanswered', (req, res) => {
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Unanswered queries',
        section: '/admin/unanswered',
        body: html`<p>This section is not built yet.</p>`,
      }),
    );
  });
  return router;
}
