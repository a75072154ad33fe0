import type { SimStorage } from '../sim-storage.ts';
import { pgCallLog } from './pg-call-log.ts';
import { pgCustomStore } from './pg-custom-store.ts';
import { pgMassStore } from './pg-mass-store.ts';
import { pgMediaStore } from './pg-media-store.ts';
import { pgMenuStore } from './pg-menu-store.ts';
import { pgQuotaStore } from './pg-quota-store.ts';
import { pgTagStore } from './pg-tag-store.ts';
import { pgTimelineStore } from './pg-timeline-store.ts';
import { pgTokenStore } from './pg-token-store.ts';
import { pgUserStore } from './pg-user-store.ts';
import { openSimPg, type SimPgOptions } from './sim-pg.ts';

/** The simulator's state on PostgreSQL: its own pool, tables and migrations. */
export async function postgresSimStorage(options: SimPgOptions): Promise<SimStorage> {
  const db = await openSimPg(options);
  return {
    kind: 'postgres',
    users: pgUserStore(db),
    timeline: pgTimelineStore(db),
    platform: {
      tokens: pgTokenStore(db),
      quota: pgQuotaStore(db),
      menu: pgMenuStore(db),
      tags: pgTagStore(db),
      media: pgMediaStore(db),
      custom: pgCustomStore(db),
      mass: pgMassStore(db),
      calls: pgCallLog(db),
    },
    atomically: (work) => db.atomically(work),
    savepoint: (work) => db.savepoint(work),
    // Each transaction commits as it ends: no commit happens after the fact.
    onCommitError: () => {},
    close: () => db.close(),
  };
}
