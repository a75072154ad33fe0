import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON object a line. Secrets never reach a log: the fields that could carry one are
 * redacted wherever they appear.
 */
export function createLogger({
  level = 'info',
  destination,
}: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'oasim' },
      redact: {
        paths: [
          '*.token',
          '*.secret',
          '*.authorization',
          '*.headers.authorization',
          '*.aesKey',
          '*.access_token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
