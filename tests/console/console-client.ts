/** A signed-in browser's requests, over HTTP: the session cookie and the page's CSRF token. */
export interface ConsoleClient {
  cookie: string;
  csrf: string;
  get(path: string): Promise<{ status: number; text: string; location: string | null }>;
  /** Posts a form as a browser does; `csrf: false` leaves the token out. */
  post(
    path: string,
    form: Record<string, string | string[]>,
    options?: { csrf?: boolean },
  ): Promise<{ status: number; text: string; location: string | null }>;
}

/** Signs in through the login form and reads the CSRF token from a console page. */
export async function consoleClient(url: string, token: string): Promise<ConsoleClient> {
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${url}/admin/entries`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([\w-]+)"/.exec(page)![1]!;
  const answer = async (res: Response) => ({
    status: res.status,
    text: await res.text(),
    location: res.headers.get('location'),
  });
  return {
    cookie,
    csrf,
    get: async (path) =>
      answer(await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' })),
    async post(path, form, { csrf: withToken = true } = {}) {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(form))
        for (const one of [value].flat()) body.append(name, one);
      if (withToken) body.append('_csrf', csrf);
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return answer(res);
    },
  };
}
