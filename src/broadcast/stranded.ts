import type { Logger } from '../log/logger.ts';
import type { DispatchStore } from './dispatch-store.ts';

/**
 * Ends the deliveries of channels no sender serves (a WeChat follower when no WeChat
 * sender is configured, a channel whose sender was removed, a preview to a channel that
 * does not exist): nothing would ever send them, and their broadcast would stay
 * `sending` for ever. They are skipped, with the reason in the broadcast's report and
 * the log. Returns how many it skipped.
 */
export function skipUnserved(
  store: DispatchStore,
  served: ReadonlySet<string>,
  at: Date,
  log: Logger,
): Promise<number> {
  const t = at.getTime();
  return store.transaction(async () => {
    let total = 0;
    for (const channel of await store.queuedChannels()) {
      if (served.has(channel)) continue;
      const reason = `no sender for channel ${channel}`;
      const skipped = await store.skipChannel(channel, t, reason);
      const byBroadcast = new Map<number, { count: number; held: number }>();
      for (const row of skipped) {
        const sum = byBroadcast.get(row.broadcastId) ?? { count: 0, held: 0 };
        byBroadcast.set(row.broadcastId, { count: sum.count + 1, held: sum.held + row.held });
      }
      for (const [broadcastId, { count, held }] of byBroadcast) {
        await store.settle(broadcastId, { settled: count, skipped: count, held: -held }, t);
        await store.noteSkipped(broadcastId, reason, count);
      }
      if (skipped.length) {
        log.warn(
          { channel, deliveries: skipped.length, broadcasts: [...byBroadcast.keys()] },
          'skipped deliveries that no sender serves',
        );
      }
      total += skipped.length;
    }
    return total;
  });
}
