import { describe } from '../postgres/database.ts';

/** The job engine could not start: the message names the problem, never the password. */
export class JobEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobEngineError';
  }
}

/** `err` as words an operator can act on, with the connection string and password cut out. */
export function startFailure(err: unknown, url: string | undefined): JobEngineError {
  let message = describe(err).message;
  if (url) {
    message = message.replaceAll(url, '[database url]');
    const password = passwordOf(url);
    if (password) message = message.replaceAll(password, '[redacted]');
  }
  const code = describe(err).code;
  return new JobEngineError(
    `job engine cannot start on PostgreSQL: ${message}${code ? ` (${code})` : ''}`,
  );
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
