import express, { Router } from 'express';
import type { Access } from './access.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

/** Where to go after signing in: a path of this site only (no `//host`, no scheme). */
export function localPath(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || next.length > 500) return fallback;
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : fallback;
}

function loginPage(what: string, next: string, error?: string) {
  return layout({
    title: `Sign in · ${what}`,
    bodyClass: 'login',
    body: html`<main class="login-box">
      <h1>Sign in to ${what}</h1>
      <form method="post" action="/login">
        <input type="hidden" name="next" value="${next}" />
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          ${error ? html`aria-invalid="true" aria-describedby="login-error"` : ''}
        />
        ${error ? html`<p id="login-error" class="error" role="alert">${error}</p>` : ''}
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        The token is the one printed when the service started (<code>ADMIN_TOKEN</code>, or
        <code>data/admin-token</code> in development).
      </p>
    </main>`,
  }).text;
}

/**
 * `GET /login` (the form), `POST /login` (checks the token, sets the session cookie:
 * HttpOnly, SameSite=Strict, Secure behind TLS) and `POST /logout`. A wrong token is a
 * 401 with the form again and the reason; the token never appears in a URL.
 */
export function loginRoutes(access: Access, what: string): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  router.get('/login', (req, res) => {
    res.type('html').send(loginPage(what, localPath(req.query.next, '/')));
  });
  router.post('/login', form, (req, res) => {
    const body = (req.body ?? {}) as { token?: unknown; next?: unknown };
    const next = localPath(body.next, '/');
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    if (!token || !access.tokenMatches(token)) {
      const reason = token ? 'That is not the token: try again.' : 'Enter the token.';
      res
        .status(401)
        .type('html')
        .send(loginPage(what, next, reason));
      return;
    }
    access.signIn(res, req.secure);
    res.redirect(303, next);
  });
  router.post('/logout', form, access.page, (_req, res) => {
    access.signOut(res);
    res.redirect(303, '/login');
  });
  return router;
}
