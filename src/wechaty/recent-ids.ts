/**
 * Remembers the last `limit` message ids, so a message a puppet emits twice (puppet-service
 * does after a reconnect) is answered once. Memory is enough: after a restart the 2-minute
 * age rule drops replayed messages anyway.
 */
export function createRecentIds(limit = 1000): { firstTime(id: string): boolean } {
  const ids = new Set<string>();
  return {
    firstTime(id) {
      if (ids.has(id)) return false;
      ids.add(id);
      // A Set iterates in insertion order: the first id is the oldest.
      if (ids.size > limit) ids.delete(ids.values().next().value!);
      return true;
    },
  };
}
