import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { logUnhandledRejection } from '../../src/log/unhandled-rejection.ts';

function capture(): {
  log: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const log = createLogger({ destination: { write: (chunk: string) => void chunks.push(chunk) } });
  return { log, lines: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>) };
}

describe('a promise nobody awaited', () => {
  it('failing on a lost database is a warning in words, without a stack', () => {
    const { log, lines } = capture();
    // What pg throws when the server goes away under a query graphile-worker did not await.
    logUnhandledRejection(log, new Error('Connection terminated unexpectedly'));
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    logUnhandledRejection(log, refused);
    expect(lines()).toMatchObject([
      { level: 40, err: { message: 'Connection terminated unexpectedly' } },
      { level: 40, err: { code: 'ECONNREFUSED' } },
    ]);
    for (const line of lines()) expect((line.err as { stack?: string }).stack ?? '').toBe('');
    expect(lines()[0]!.msg).toMatch(/database was unavailable/);
  });

  it('failing on anything else is an error, logged whole', () => {
    const { log, lines } = capture();
    logUnhandledRejection(log, new TypeError('x is not a function'));
    expect(lines()).toMatchObject([
      {
        level: 50,
        msg: 'unhandled rejection',
        err: { type: 'TypeError', message: 'x is not a function' },
      },
    ]);
    expect((lines()[0]!.err as { stack: string }).stack).toContain('TypeError');
  });
});
