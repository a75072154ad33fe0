import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { ContentView } from '../content/library.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../log/logger.ts';
import type { InboxStore } from '../store/inbox.ts';
import { adminRoutes, type AdminDeps } from './admin-routes.ts';
import { chatRoutes } from './chat-routes.ts';
import { entryPage } from './entry-page.ts';
import { consoleRoutes, type ConsoleParts } from '../console/console-routes.ts';
import { assetRoutes } from '../web/assets.ts';
import { loginRoutes } from '../web/login-routes.ts';
import { errorHandler, notFound } from './error-handler.ts';

export interface AppDeps {
  engine: Engine;
  inbox: InboxStore;
  library: ContentView;
  log: Logger;
  now?: () => Date;
  /** The operator's API (issue 4); absent, there is none. */
  admin?: AdminDeps;
  /** The operator's console (under `/admin`), beside the admin API. */
  console?: ConsoleParts;
  /** Mounts the WeChat callback (`/wechat`), when the channel is configured. */
  wechat?: (app: Express) => void;
  /** The hosted simulated platform's routes (`/cgi-bin`, `/sim/api`), a peer on the same port. */
  simulator?: Router;
  /** What `/healthz` reports beside the entries: the database, the job engine. */
  health?: () => Promise<HealthParts>;
}

/** The parts `/healthz` checks; any not `ok` makes it answer 503. */
export interface HealthParts {
  database: { ok: boolean };
  jobs?: { ok: boolean };
}

/**
 * Every answer, the callback's included, carries helmet's headers: a CSP without inline
 * script (`default-src 'self'`, no framing), nosniff, a referrer policy and
 * X-Frame-Options. No HSTS and no upgrade-insecure-requests: the service is reached over
 * plain HTTP on a laptop, and TLS, when there is one, is a proxy's to announce.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      // Styles and fonts come from the service only; an entry's cover may be anywhere on
      // the web (an article card's picture usually is).
      'style-src': ["'self'"],
      'font-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'https:', 'http:'],
      'frame-ancestors': ["'none'"],
      'upgrade-insecure-requests': null,
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
});

/** The HTTP face of the service. Routes parse, call one domain function, and answer. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Answers here are per request (chat replies, admin state): an ETag, hashed over every
  // body, would never be used.
  app.set('etag', false);
  app.use(securityHeaders);
  app.get('/healthz', async (_req, res) => {
    const parts: Partial<HealthParts> = (await deps.health?.()) ?? {};
    const ok = parts.database?.ok !== false && parts.jobs?.ok !== false;
    // A load balancer takes an instance whose database is lost out of rotation (503).
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      entries: deps.library.size(),
      ...parts,
    });
  });
  deps.wechat?.(app);
  if (deps.simulator) app.use(deps.simulator);
  app.use(chatRoutes(deps));
  app.use(entryPage(deps));
  if (deps.admin) {
    // Hosted, the simulator's router answers `/login` and `/` first (the phone page), with
    // the same token and cookie; without it, `/` is the operator's console.
    app.use(assetRoutes('account'));
    app.use(loginRoutes(deps.admin.access, 'oasim'));
    if (!deps.simulator) app.get('/', (_req, res) => res.redirect(302, '/admin'));
    app.use(adminRoutes(deps.admin));
    if (deps.console)
      app.use(
        consoleRoutes({
          ...deps.admin,
          ...deps.console,
          engine: deps.engine,
          now: deps.now ?? (() => new Date()),
          simulated: deps.simulator !== undefined,
        }),
      );
  }
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
