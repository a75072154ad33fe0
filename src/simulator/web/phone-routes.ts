import { join } from 'node:path';
import { Router } from 'express';
import type { Access } from '../../web/access.ts';
import { assetRoutes } from '../../web/assets.ts';
import { phonePage } from './phone-page.ts';

const HERE = import.meta.dirname;

/**
 * The page's policy, sent by the simulator alone too (hosted, the account's is the same):
 * scripts, styles and fonts from this server only, no inline script or style attribute;
 * article covers may come from anywhere, as on a phone.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "img-src 'self' data: https: http:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** `/` (the phone page, signed in) and its script and styles under `/assets/phone/`. */
export function phoneRoutes(access: Access, title: string): Router {
  const router = Router();
  router.use(
    assetRoutes('phone', {
      scripts: {
        phone: join(HERE, 'client', 'main.ts'),
        events: join(HERE, 'client', 'events-worker.ts'),
      },
      styles: { phone: join(HERE, 'styles', 'phone.css') },
    }),
  );
  router.get('/', access.page, (req, res) => {
    const csrf = access.session(req)!.csrf;
    res
      .set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': CSP })
      .type('html')
      .send(phonePage({ csrf, title }));
  });
  return router;
}
