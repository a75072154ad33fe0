import type { Entry } from './entry.ts';

/**
 * Whether an entry may reach a user at `now`: its date has come. The one rule for every
 * path an entry takes to a user (search, rules, menus, latest, pages, broadcasts), read
 * against the service's clock, which the simulated platform may move.
 */
export function isPublished(entry: Pick<Entry, 'publishedAt'>, now: Date): boolean {
  return entry.publishedAt.getTime() <= now.getTime();
}
