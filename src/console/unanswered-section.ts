import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { appendRule, RuleRefusedError, type NewRule } from '../content/append-rule.ts';
import { ContentError } from '../content/parse-entry.ts';
import { EntryExistsError, writeEntry } from '../content/write-entry.ts';
import { entryBody } from '../http/admin-routes.ts';
import { HttpError, parseOr400 } from '../http/http-error.ts';
import { wallClock } from '../time/time-zone.ts';
import { html, type SafeHtml } from '../web/html.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { field, optional, wordsOf } from './form-fields.ts';
import { localTime } from './local-time.ts';
import { consolePage } from './shell.ts';
import { entryForm, ruleForm, type EntryForm, type RuleForm } from './unanswered-forms.ts';
import { dataTable } from './data-table.ts';

const LISTED = 100;
/** How far ahead a drafted entry is dated unless the operator says otherwise. */
const DRAFT_DAYS_AHEAD = 7;
const MATCHES = ['equal', 'contain', 'regex'] as const;

const DONE: Record<string, string> = {
  rule: 'The rule was added to rules.yaml and is in use: the query has an answer now.',
  entry: 'The entry was written; the query has an answer once the entry is published.',
};

/** An entry id from the query's latin words, or a dated one for a query without any. */
function idFrom(query: string, day: string): string {
  const slug = query
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || `answer-${day.replaceAll('-', '')}`;
}

/**
 * Unanswered queries: what users asked that the account had no answer to, most asked
 * first; each can become a keyword rule (appended to `rules.yaml`, the rules reloaded) or
 * an entry (written as `POST /admin/api/entries` writes one). A refused form comes back
 * with the reason; a query that got its answer leaves the list.
 */
export function unansweredSection(deps: ConsoleDeps): Router {
  const router = Router();
  const page = (req: Request, res: Response, title: string, body: SafeHtml, status = 200) =>
    res
      .status(status)
      .type('html')
      .send(consolePage(deps.access, req, { title, section: '/admin/unanswered', body }));
  const csrf = (req: Request) => deps.access.session(req)?.csrf ?? '';

  router.get('/unanswered', async (req, res) => {
    const items = await deps.conversations.unanswered(LISTED);
    const done = DONE[field(req.query, 'done')];
    page(
      req,
      res,
      'Unanswered queries',
      html`${done ? html`<p class="notice" role="status">${done}</p>` : ''}
      ${unansweredTable(items, deps.timeZone)}`,
    );
  });

  ruleRoutes(router, deps, page, csrf);
  entryRoutes(router, deps, page, csrf);
  return router;
}

type Page = (req: Request, res: Response, title: string, body: SafeHtml, status?: number) => void;

/** A keyword rule for a query: the form, and the rule appended to `rules.yaml`. */
function ruleRoutes(router: Router, deps: ConsoleDeps, page: Page, csrf: (req: Request) => string) {
  router.get('/unanswered/rule', (req, res) => {
    const query = field(req.query, 'query').slice(0, 200);
    const form: RuleForm = {
      query,
      name: query.slice(0, 60),
      keyword: query,
      match: 'equal',
      text: '',
      entries: '',
    };
    page(req, res, 'A keyword rule for a query', ruleForm(form, csrf(req)));
  });

  router.post('/unanswered/rule', async (req, res) => {
    const form: RuleForm = {
      query: field(req.body, 'query'),
      name: field(req.body, 'name').trim(),
      keyword: field(req.body, 'keyword').trim(),
      match: field(req.body, 'match'),
      text: field(req.body, 'text').trim(),
      entries: field(req.body, 'entries'),
    };
    const entries = wordsOf(form.entries);
    const rule: NewRule = {
      name: form.name,
      keywords: [
        {
          keyword: form.keyword,
          match: (MATCHES as readonly string[]).includes(form.match)
            ? (form.match as NewRule['keywords'][number]['match'])
            : 'equal',
        },
      ],
      replies: [
        ...(form.text ? [{ text: form.text }] : []),
        ...(entries.length ? [{ entries }] : []),
      ],
      note: `added from the console for the unanswered query "${form.query.slice(0, 100)}"`,
    };
    try {
      const unknown = entries.find((id) => !deps.hasEntry(id));
      if (unknown) throw new RuleRefusedError(`there is no entry "${unknown}"`);
      await appendRule(deps.rulesFile, rule);
    } catch (error) {
      if (!(error instanceof RuleRefusedError)) throw error;
      page(req, res, 'A keyword rule for a query', ruleForm(form, csrf(req), error.reason), 400);
      return;
    }
    await deps.reloadRules();
    if (form.query) await deps.conversations.forgetUnanswered(form.query);
    res.redirect(303, '/admin/unanswered?done=rule');
  });
}

/** An entry for a query: the form, and the entry written as the entries API writes one. */
function entryRoutes(
  router: Router,
  deps: ConsoleDeps,
  page: Page,
  csrf: (req: Request) => string,
) {
  router.get('/unanswered/entry', (req, res) => {
    const query = field(req.query, 'query').slice(0, 200);
    const today = wallClock(deps.now(), deps.timeZone).slice(0, 10);
    const ahead = new Date(Date.parse(`${today}T12:00:00Z`) + DRAFT_DAYS_AHEAD * 86_400_000);
    const form: EntryForm = {
      query,
      id: idFrom(query, today),
      title: query,
      date: ahead.toISOString().slice(0, 10),
      keywords: query.slice(0, 64),
      topics: '',
      summary: '',
      body: '',
    };
    page(req, res, 'An entry for a query', entryForm(form, csrf(req)));
  });

  router.post('/unanswered/entry', async (req, res) => {
    const form: EntryForm = {
      query: field(req.body, 'query'),
      id: field(req.body, 'id').trim(),
      title: field(req.body, 'title').trim(),
      date: field(req.body, 'date').trim(),
      keywords: field(req.body, 'keywords'),
      topics: field(req.body, 'topics'),
      summary: field(req.body, 'summary'),
      body: field(req.body, 'body'),
    };
    const refuse = (status: number, reason: string) =>
      page(req, res, 'An entry for a query', entryForm(form, csrf(req), reason), status);
    try {
      const fields = parseOr400(
        entryBody,
        {
          id: form.id,
          title: form.title,
          date: form.date,
          summary: optional(form.summary),
          keywords: form.keywords
            .split(/[,，]/)
            .map((w) => w.trim())
            .filter(Boolean),
          topics: wordsOf(form.topics),
          body: form.body,
        },
        'form',
      );
      const entry = await writeEntry(deps.library.dir, fields, deps.timeZone);
      await deps.library.reloadFile(join(deps.library.dir, `${entry.id}.md`));
    } catch (error) {
      if (error instanceof HttpError) refuse(error.status, error.message);
      else if (error instanceof EntryExistsError) refuse(409, error.message);
      else if (error instanceof ContentError) refuse(400, error.reason);
      else throw error;
      return;
    }
    if (form.query) await deps.conversations.forgetUnanswered(form.query);
    res.redirect(303, '/admin/unanswered?done=entry');
  });
}

function unansweredTable(
  items: { query: string; count: number; lastAt: Date }[],
  timeZone: string,
) {
  return items.length === 0
    ? html`<p>Every query so far had an answer.</p>`
    : dataTable({
        caption: 'Unanswered queries, most asked first',
        columns: ['Query', 'Times asked', 'Last asked', 'Answer it with'],
        items,
        row: (item) => {
          const q = new URLSearchParams({ query: item.query });
          return html`<tr>
            <th scope="row">${item.query}</th>
            <td>${item.count}</td>
            <td>${localTime(item.lastAt, timeZone)}</td>
            <td class="button-row">
              <a href="/admin/unanswered/rule?${q.toString()}"
                >a keyword rule<span class="visually-hidden"> for “${item.query}”</span></a
              >
              <a href="/admin/unanswered/entry?${q.toString()}"
                >an entry<span class="visually-hidden"> for “${item.query}”</span></a
              >
            </td>
          </tr>`;
        },
      });
}
