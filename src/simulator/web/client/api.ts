/** Calls of the control API (and, hosted, the admin API) with the session cookie and CSRF token. */

const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(method !== 'GET' && { 'x-csrf-token': csrf }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: text.slice(0, 200) };
  }
  if (!res.ok) {
    const said = (json as { error?: unknown }).error;
    throw new ApiError(res.status, typeof said === 'string' ? said : `HTTP ${res.status}`);
  }
  return json as T;
}

export const sim = (path: string) => `/sim/api${path}`;
export const userPath = (openid: string, rest = '') =>
  sim(`/users/${encodeURIComponent(openid)}${rest}`);
