import { AsyncLocalStorage } from 'node:async_hooks';
import type { DispatchStore } from './dispatch-store.ts';

/**
 * The dispatch store, noting which broadcasts' counters moved. Every counter change goes
 * through `settle`; inside a transaction the ids are handed on once it has committed (each
 * transaction its own, by async context: on PostgreSQL several are open at once), so a
 * listener reads what was committed.
 */
export function noticingProgress(
  store: DispatchStore,
  onMoved: (broadcastIds: number[]) => void,
): DispatchStore {
  const open = new AsyncLocalStorage<Set<number>>();
  return {
    ...store,
    async transaction(work) {
      if (open.getStore()) return store.transaction(work);
      const moved = new Set<number>();
      const result = await open.run(moved, () => store.transaction(work));
      if (moved.size) onMoved([...moved]);
      return result;
    },
    async settle(broadcastId, change, at) {
      await store.settle(broadcastId, change, at);
      const moved = open.getStore();
      if (moved) moved.add(broadcastId);
      else onMoved([broadcastId]);
    },
  };
}
