import { chat } from '../helpers/temp-service.ts';

/** The admin token the console tests sign in with. */
export const TOKEN = 'a-console-test-token-0123456789';

/** Signs in through the login form; answers the session cookie to send. */
export async function signedIn(url: string, token = TOKEN): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** A console page as a signed-in browser gets it: status, text and the page's CSRF token. */
export async function getPage(
  url: string,
  cookie: string,
  path: string,
): Promise<{ status: number; text: string; csrf: string }> {
  const res = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const text = await res.text();
  const csrf = /<meta name="csrf-token" content="([\w-]+)"/.exec(text)?.[1] ?? '';
  return { status: res.status, text, csrf };
}

/** Posts a console form as the browser would (urlencoded, with the page's CSRF token). */
export async function postForm(
  url: string,
  cookie: string,
  path: string,
  fields: Record<string, string>,
): Promise<Response> {
  const { csrf } = await getPage(url, cookie, '/admin');
  return fetch(`${url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, _csrf: csrf }),
  });
}

/** Gives the account something to count: followers, answered and unanswered messages. */
export async function populate(url: string): Promise<void> {
  for (const user of ['ada', 'bo', 'chen']) await chat(url, { user, event: 'subscribe' });
  await chat(url, { user: 'chen', event: 'unsubscribe' });
  await chat(url, { user: 'ada', text: 'hello' });
  for (const user of ['ada', 'bo']) await chat(url, { user, text: 'visa office hours' });
  await chat(url, { user: 'bo', text: 'zzqx' });
}

/** The text of a page as read: tags removed, entities decoded, spaces folded. */
export function words(page: string): string {
  return page
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
