import type Database from 'better-sqlite3';
import { createCallLog, type CallLog } from './call-log.ts';
import { createCustomStore, type CustomStore } from './custom-store.ts';
import { createMassStore, type MassStore } from './mass-store.ts';
import { createMediaStore, type MediaStore } from './media-store.ts';
import { createMenuStore, type MenuStore } from './menu-store.ts';
import { createQuotaStore, type QuotaStore } from './quota-store.ts';
import { createTagStore, type TagStore } from './tag-store.ts';
import { createTokenStore, type TokenStore } from './token-store.ts';

/** The platform's state: tokens, quotas, the menu, tags, media, sends, mass jobs, calls. */
export interface PlatformStores {
  tokens: TokenStore;
  quota: QuotaStore;
  menu: MenuStore;
  tags: TagStore;
  media: MediaStore;
  custom: CustomStore;
  mass: MassStore;
  calls: CallLog;
}

/** The platform's tables in the simulator's SQLite file, each created by its store. */
export function sqlitePlatformStores(db: Database.Database): PlatformStores {
  return {
    tokens: createTokenStore(db),
    quota: createQuotaStore(db),
    menu: createMenuStore(db),
    tags: createTagStore(db),
    media: createMediaStore(db),
    custom: createCustomStore(db),
    mass: createMassStore(db),
    calls: createCallLog(db),
  };
}
