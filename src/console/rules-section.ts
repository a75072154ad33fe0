import { Router, type Request, type Response } from 'express';
import { lintRules } from '../engine/rule-lint.ts';
import { resolveReply } from '../engine/reply-specs.ts';
import { publishMenuNow } from '../http/admin-routes.ts';
import { HttpError } from '../http/http-error.ts';
import { html } from '../web/html.ts';
import { replyPreview } from './article-cards.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { clickReplies, menuPreview } from './menu-preview.ts';
import { lintList, rulesTable } from './rules-page.ts';
import { consolePage } from './shell.ts';

const SECTION = '/admin/rules';

/**
 * Rules and menu: each keyword rule with its hit count, a lint of the rules (`rule-lint.ts`),
 * and the menu previewed as a phone shows it, with Publish (the admin API's `publishMenu`).
 * The rules are read from the engine, as it runs them now.
 */
export function rulesSection(deps: ConsoleDeps): Router {
  const router = Router();
  const csrf = (req: Request) => deps.access.session(req)?.csrf ?? '';

  const show = async (
    req: Request,
    res: Response,
    notice?: { text: string; error?: boolean; code?: number },
  ) => {
    const { rules, menu } = deps.engine.rules();
    const findings = lintRules(rules, menu);
    const hits = new Map(
      (await deps.conversations.ruleHits()).map(({ rule, hits }) => [rule, hits]),
    );
    res
      .status(notice?.code ?? 200)
      .type('html')
      .send(
        consolePage(deps.access, req, {
          title: 'Rules and menu',
          section: SECTION,
          styles: ['publishing'],
          body: html`${
              notice
                ? html`<p
                    class="${notice.error ? 'error' : 'notice'}"
                    role="${notice.error ? 'alert' : 'status'}"
                  >
                    ${notice.text}
                  </p>`
                : ''
            }
            ${lintList(findings)} ${rulesTable(rules, hits)}
            <section aria-labelledby="menu-title">
              <h2 id="menu-title">Menu</h2>
              ${menuPreview(menu, `${SECTION}/menu/reply`, deps.accountName)}
              <form method="post" action="${SECTION}/menu/publish">
                <input type="hidden" name="_csrf" value="${csrf(req)}" />
                <button type="submit">Publish the menu</button>
              </form>
            </section>`,
        }),
      );
  };

  router.get('/rules', async (req, res) => {
    const published = typeof req.query.published === 'string' ? req.query.published : undefined;
    await show(req, res, published ? { text: `Menu published: ${published} buttons.` } : undefined);
  });

  router.get('/rules/menu/reply', (req, res) => {
    const key = typeof req.query.key === 'string' ? req.query.key : '';
    const specs = clickReplies(deps.engine.rules().menu).get(key);
    if (!specs) throw new HttpError(404, `the menu has no click key "${key.slice(0, 128)}"`);
    const replies = specs
      .map((spec) => resolveReply(spec, deps.library, deps.publicUrl ?? '', deps.now()))
      .filter((reply) => reply !== undefined);
    res
      .type('html')
      .send(
        (replies.length
          ? html`${replies.map((reply) => replyPreview(reply))}`
          : html`<p class="muted">No reply now: its entries are not published.</p>`
        ).text,
      );
  });

  router.post('/rules/menu/publish', async (req, res) => {
    try {
      const buttons = await publishMenuNow(deps);
      res.redirect(303, `${SECTION}?published=${buttons}`);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      await show(req, res, { text: error.message, error: true, code: error.status });
    }
  });
  return router;
}
