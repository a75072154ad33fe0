import { join } from 'node:path';
import express, { Router } from 'express';
import type { AdminDeps } from '../http/admin-routes.ts';
import type { Engine } from '../engine/engine.ts';
import type { StatsStore } from '../store/stats.ts';
import { assetRoutes } from '../web/assets.ts';
import { broadcastsSection } from './broadcasts-section.ts';
import { dashboardSection } from './dashboard-section.ts';
import { entriesSection } from './entries-section.ts';
import { consoleErrorPages, noSuchPage } from './error-page.ts';
import { rulesSection } from './rules-section.ts';
import { scheduleSection } from './schedule-section.ts';
import { subscribersSection } from './subscribers-section.ts';
import { unansweredSection } from './unanswered-section.ts';

/** What the console reads and calls: the admin API's parts, and the engine's rules. */
export interface ConsoleDeps extends AdminDeps {
  engine: Engine;
  now: () => Date;
  /** Whether the simulated platform is hosted (time travel goes through `/sim/api/clock`). */
  simulated: boolean;
  /** The dashboard's counts. */
  stats: StatsStore;
  /** `messages/rules.yaml`, and how the running engine reads it again after the console changed it. */
  rulesFile: string;
  reloadRules(): Promise<void>;
  /** Whether the library holds an entry of this id (a rule may name only those). */
  hasEntry(id: string): boolean;
  /** The account's name (ACCOUNT_NAME), on top of the menu's phone preview. */
  accountName: string;
}

/** What the console needs beyond the admin API's parts; the service makes them. */
export type ConsoleParts = Pick<
  ConsoleDeps,
  'stats' | 'rulesFile' | 'reloadRules' | 'hasEntry' | 'accountName'
>;

/**
 * The operator's console under `/admin` (not `/admin/api`): server-rendered pages, a
 * signed-in browser only (the login form at `/login`). Forms are CSRF-checked by the
 * access guard; each section is a router of its own, in `<name>-section.ts`. A browser
 * gets the pages' errors, and a path no section serves, as a page (`error-page.ts`).
 */
export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.use(
    assetRoutes('console', {
      scripts: { console: join(import.meta.dirname, 'client', 'console.ts') },
      styles: {
        console: join(import.meta.dirname, 'styles', 'console.css'),
        panels: join(import.meta.dirname, 'styles', 'panels.css'),
        publishing: join(import.meta.dirname, 'styles', 'publishing.css'),
      },
    }),
  );
  const pages = Router();
  for (const section of [
    dashboardSection,
    entriesSection,
    rulesSection,
    broadcastsSection,
    scheduleSection,
    subscribersSection,
    unansweredSection,
  ])
    pages.use(section(deps));
  router.use(
    '/admin',
    (req, _res, next) =>
      next(req.path === '/api' || req.path.startsWith('/api/') ? 'router' : undefined),
    consoleErrorPages(deps.access),
    express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 100 }),
    deps.access.page,
    pages,
    noSuchPage,
  );
  return router;
}
