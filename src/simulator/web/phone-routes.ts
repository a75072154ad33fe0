import { join } from 'node:path';
import { Router } from 'express';
import type { Access } from '../../web/access.ts';
import { assetRoutes } from '../../web/assets.ts';
import { phonePage } from './phone-page.ts';

const HERE = import.meta.dirname;

/** `/` (the phone page, signed in) and its script and styles under `/assets/phone/`. */
export function phoneRoutes(access: Access, title: string): Router {
  const router = Router();
  router.use(
    assetRoutes('phone', {
      scripts: { phone: join(HERE, 'client', 'main.ts') },
      styles: { phone: join(HERE, 'styles', 'phone.css') },
    }),
  );
  router.get('/', access.page, (req, res) => {
    const csrf = access.session(req)!.csrf;
    res.set('Cache-Control', 'no-store').type('html').send(phonePage({ csrf, title }));
  });
  return router;
}
