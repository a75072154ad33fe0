import { Logger as GraphileLogger, type LogLevel } from 'graphile-worker';
import type { Logger } from '../log/logger.ts';

const LEVELS = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' } as const;

/** graphile-worker's logs as our pino lines, tagged `jobs`, its scope as fields. */
export function graphileLogger(log: Logger): GraphileLogger {
  const jobs = log.child({ part: 'jobs' });
  return new GraphileLogger((scope) => (level: LogLevel, message, meta) => {
    const method = LEVELS[level as keyof typeof LEVELS] ?? 'info';
    jobs[method]({ ...scope, ...meta }, message);
  });
}
