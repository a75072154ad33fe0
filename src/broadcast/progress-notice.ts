import type { DispatchStore } from './dispatch-store.ts';

/**
 * The dispatch store, noting which broadcasts' counters moved. Every counter change goes
 * through `settle`; the ids are handed on once the transaction around it has returned, so
 * a listener reads what was committed.
 */
export function noticingProgress(
  store: DispatchStore,
  onMoved: (broadcastIds: number[]) => void,
): DispatchStore {
  const moved = new Set<number>();
  let depth = 0;
  const flush = () => {
    if (depth > 0 || moved.size === 0) return;
    const ids = [...moved];
    moved.clear();
    onMoved(ids);
  };
  return {
    ...store,
    transaction(work) {
      depth++;
      try {
        return store.transaction(work);
      } finally {
        depth--;
        flush();
      }
    },
    settle(broadcastId, change, at) {
      store.settle(broadcastId, change, at);
      moved.add(broadcastId);
      flush();
    },
  };
}
