import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSessionStore, type SessionStore } from '../../src/store/sessions.ts';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';

const NOW = new Date('2026-03-10T04:00:00Z');

describe.each(DATABASES)('search sessions on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  let sessions: SessionStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-sessions-'));
    storage = await openTestStorage(kind, dir);
    sessions = createSessionStore(storage);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps each user's last search, replaces it, and forgets it", async () => {
    expect(await sessions.lastSearch('api', 'a')).toBeUndefined();
    await sessions.saveSearch('api', 'a', { query: 'tea', offset: 3 }, NOW);
    await sessions.saveSearch('api', 'b', { query: 'coffee', offset: 6 }, NOW);
    expect(await sessions.lastSearch('api', 'a')).toEqual({ query: 'tea', offset: 3 });
    await sessions.saveSearch('api', 'a', { query: 'tea', offset: 6 }, NOW);
    expect(await sessions.lastSearch('api', 'a')).toEqual({ query: 'tea', offset: 6 });
    await sessions.saveSearch('api', 'a', undefined, NOW);
    expect(await sessions.lastSearch('api', 'a')).toBeUndefined();
    expect(await sessions.lastSearch('api', 'b')).toEqual({ query: 'coffee', offset: 6 });
    expect(await sessions.lastSearch('wechat', 'b')).toBeUndefined();
  });
});
