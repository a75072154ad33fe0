import { Router, type Request, type Response } from 'express';
import type { Broadcast } from '../broadcast/broadcast-types.ts';
import { pickDueEntries } from '../broadcast/planner.ts';
import { domain } from '../http/admin-routes.ts';
import { HttpError } from '../http/http-error.ts';
import { html, type SafeHtml } from '../web/html.ts';
import {
  broadcastForm,
  dryRunReport,
  EMPTY_BROADCAST,
  readBroadcastForm,
  toRequest,
  type BroadcastFormValues,
} from './broadcast-form.ts';
import { progressFragment } from './broadcast-progress.ts';
import { broadcastReport, historyTable } from './broadcast-report.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { eventsRoute } from './events-route.ts';
import { consolePage } from './shell.ts';

const SECTION = '/admin/broadcasts';
const HISTORY_PAGE = 20;
const DELIVERY_PAGE = 50;
/** Entries offered in the form: the next ones a tick would send, and more. */
const DUE_OFFERED = 30;

const idOf = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : undefined);
const cursor = (value: unknown) => (typeof value === 'string' ? idOf(value) : undefined);

/**
 * Broadcasts: the history, a new broadcast (dry run or send, through the admin API's
 * domain calls), and one broadcast's report with its live progress bar, cancel, and its
 * deliveries page by page. Progress is live over `GET /admin/events` (htmx's SSE extension).
 */
export function broadcastsSection(deps: ConsoleDeps): Router {
  const router = Router();
  const { broadcasting, timeZone } = deps;
  const csrf = (req: Request) => deps.access.session(req)?.csrf ?? '';
  const page = (req: Request, title: string, body: SafeHtml) =>
    consolePage(deps.access, req, {
      title,
      section: SECTION,
      styles: ['publishing'],
      // One stream per page; the progress boxes inside it swap their content as events come.
      body: html`<div hx-ext="sse" sse-connect="/admin/events" class="live">${body}</div>`,
    });
  const due = () =>
    pickDueEntries(deps.library.all(), broadcasting.ledger, deps.now(), DUE_OFFERED);

  router.use(eventsRoute(deps.events));

  const overview = async (
    req: Request,
    res: Response,
    options: { values?: BroadcastFormValues; error?: string; code?: number; dry?: SafeHtml } = {},
  ) => {
    const dueEntries = await due();
    const history = await broadcasting.store.list({
      limit: HISTORY_PAGE,
      before: cursor(req.query.before),
    });
    res
      .status(options.code ?? 200)
      .type('html')
      .send(
        page(
          req,
          'Broadcasts',
          html`<section aria-labelledby="new-title">
              <h2 id="new-title">New broadcast</h2>
              ${broadcastForm({
                values: options.values ?? EMPTY_BROADCAST,
                due: dueEntries,
                topics: deps.library.topics(),
                csrf: csrf(req),
                error: options.error,
              })}
              ${options.dry ?? ''}
            </section>
            ${historyTable(history, { timeZone, pageSize: HISTORY_PAGE })}`,
        ),
      );
  };

  router.get('/broadcasts', (req, res) => overview(req, res));

  router.post('/broadcasts', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const values = readBroadcastForm(body);
    try {
      const request = toRequest(values, deps);
      if (body.action === 'dry') {
        const dry = await domain(() => broadcasting.dryRun(request));
        await overview(req, res, { values, dry: dryRunReport(dry) });
        return;
      }
      const broadcast = await domain(() => broadcasting.broadcastNow(request));
      res.redirect(303, `${SECTION}/${broadcast.id}`);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      await overview(req, res, { values, error: error.message, code: error.status });
    }
  });

  reportRoutes(router, deps, page);
  return router;
}

type Page = (req: Request, title: string, body: SafeHtml) => string;

/** One broadcast: its report with the live bar, a bar read again, and cancel. */
function reportRoutes(router: Router, deps: ConsoleDeps, page: Page): void {
  const { broadcasting, timeZone } = deps;
  const csrf = (req: Request) => deps.access.session(req)?.csrf ?? '';
  const found = async (raw: string): Promise<Broadcast> => {
    const id = idOf(raw);
    const broadcast = id === undefined ? undefined : await broadcasting.store.get(id);
    if (!broadcast) throw new HttpError(404, `there is no broadcast ${raw.slice(0, 20)}`);
    return broadcast;
  };

  router.get('/broadcasts/:id', async (req, res) => {
    const broadcast = await found(req.params.id);
    const body = await report(broadcast, cursor(req.query.after), req);
    res.type('html').send(page(req, `Broadcast #${broadcast.id}`, body));
  });

  // A bar read again after the stream reconnected (client/live.ts).
  router.get('/broadcasts/:id/progress', async (req, res) => {
    res.type('html').send(progressFragment(await found(req.params.id)).text);
  });

  router.post('/broadcasts/:id/cancel', async (req, res) => {
    const broadcast = await found(req.params.id);
    try {
      await domain(() => broadcasting.cancel(broadcast.id));
      res.redirect(303, `${SECTION}/${broadcast.id}`);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const body = await report(broadcast, undefined, req);
      res
        .status(error.status)
        .type('html')
        .send(
          page(
            req,
            `Broadcast #${broadcast.id}`,
            html`<p class="error" role="alert">${error.message}</p>
              ${body}`,
          ),
        );
    }
  });

  async function report(
    broadcast: Broadcast,
    after: number | undefined,
    req: Request,
  ): Promise<SafeHtml> {
    const deliveries = await broadcasting.store.deliveries(broadcast.id, {
      limit: DELIVERY_PAGE,
      after,
    });
    const removed =
      deliveries.length === 0 && after === undefined
        ? await broadcasting.store.deliveriesRemoved(broadcast.id)
        : false;
    return broadcastReport(broadcast, deliveries, {
      removedAfterDays: removed ? broadcasting.deliveriesKeptDays : undefined,
      timeZone,
      csrf: csrf(req),
      after,
      pageSize: DELIVERY_PAGE,
    });
  }
}
