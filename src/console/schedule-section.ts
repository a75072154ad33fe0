import { Router } from 'express';
import { html } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { consolePage } from './shell.ts';

/** Schedule: not built yet (a placeholder the console's navigation can reach). */
export function scheduleSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/schedule', (req, res) => {
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Schedule',
        section: '/admin/schedule',
        body: html`<p>This section is not built yet.</p>`,
      }),
    );
  });
  return router;
}
