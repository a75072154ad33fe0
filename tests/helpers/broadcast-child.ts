/**
 * The broadcast part alone, on the test PostgreSQL, as a process of its own: what the
 * PostgreSQL crash tests start and kill (the whole service cannot open PostgreSQL in this
 * tree yet). Env: TEST_DATABASE_URL, OASIM_TEST_SCHEMA, DISPATCH_RATE_PER_SECOND,
 * BROADCAST_CRON (optional), CREATE=1 to broadcast everything due at once.
 * Prints one JSON line when running: `{"ready":true,"broadcast":<id or null>}`.
 */
import { createBroadcasting } from '../../src/broadcast/broadcasting.ts';
import { createInboxSender } from '../../src/broadcast/inbox-sender.ts';
import { parseSchedules } from '../../src/broadcast/scheduler.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openPostgres } from '../../src/postgres/database.ts';
import { postgresStorage } from '../../src/store/storage.ts';
import { makeEntry, makeLibrary } from './broadcast-fixture.ts';

/** Entries for every subscriber, for the guides' followers, and for the events'. */
const CHILD_ENTRIES = [
  makeEntry('for-all', '2025-01-01T00:00:00Z'),
  makeEntry('guide', '2025-01-02T00:00:00Z', ['guides']),
  makeEntry('event', '2025-01-03T00:00:00Z', ['events']),
];

const env = process.env;
const pg = await openPostgres({
  url: env.TEST_DATABASE_URL!,
  schema: env.OASIM_TEST_SCHEMA,
  migrate: false,
  max: 4,
});
const broadcasting = createBroadcasting({
  storage: postgresStorage(pg),
  library: makeLibrary(CHILD_ENTRIES),
  log: createLogger({ level: 'silent' }),
  publicUrl: 'http://oa.test',
  timeZone: 'UTC',
  accountType: 'service',
  schedules: env.BROADCAST_CRON ? parseSchedules(env.BROADCAST_CRON, 'UTC') : [],
  catchUpHours: 6,
  dispatch: {
    ratePerSecond: Number(env.DISPATCH_RATE_PER_SECOND ?? 0),
    batchSize: 250,
    leaseMs: 1000,
    idleMs: 50,
  },
});
broadcasting.register(createInboxSender(postgresStorage(pg), 'api'));
await broadcasting.start();
const created = env.CREATE === '1' ? await broadcasting.broadcastNow({ kind: 'manual' }) : null;
process.stdout.write(`${JSON.stringify({ ready: true, broadcast: created?.id ?? null })}\n`);
