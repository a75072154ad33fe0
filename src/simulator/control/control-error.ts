import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../../log/logger.ts';

/** A client fault of the control API: its status and what was wrong, in words. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** The first problem of a zod error, with the field it is about. */
export function zodMessage(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the request is not valid';
  const path = issue.path.join('.');
  return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
}

/** JSON `{"error": ...}` for every failure; a 500 only for the simulator's own faults, logged. */
export function controlErrors(log: Logger | undefined): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const send = (status: number, message: string) => res.status(status).json({ error: message });
    if (error instanceof ControlError) return send(error.status, error.message);
    if (error instanceof ZodError) return send(400, zodMessage(error));
    const body = error as { type?: string; status?: number };
    if (body.type === 'entity.too.large') return send(413, 'the body is larger than 64 KiB');
    if (body.type === 'entity.parse.failed') return send(400, 'the body is not valid JSON');
    if (typeof body.status === 'number' && body.status >= 400 && body.status < 500)
      return send(body.status, 'the request could not be read');
    log?.error({ err: error }, 'simulator control API failed');
    return send(500, 'the simulator failed; see its log');
  };
}
