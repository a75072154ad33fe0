import type { Clock } from '../../clock/clock.ts';
import type { EventSink, PlatformItem, TimelineWriter } from '../platform/ports.ts';
import type { NewTimelineItem, TimelineItem, TimelineStore } from '../store/timeline-store.ts';

/** The longest page of a timeline. */
export const MAX_TIMELINE_PAGE = 200;

export interface Timeline extends TimelineWriter {
  add(item: Omit<NewTimelineItem, 'at'>): Promise<TimelineItem>;
  page(openid: string, limit: number, before?: number): Promise<TimelineItem[]>;
  item(id: number): Promise<TimelineItem | undefined>;
  /**
   * After an exchange, in one commit: the item the user sent keeps its raw `record`, and
   * what the phone showed (`seen`, if anything) is added holding the same record. Answers
   * both items.
   */
  settle(
    sent: TimelineItem,
    record: Record<string, unknown>,
    seen?: Omit<NewTimelineItem, 'at' | 'record'>,
  ): Promise<TimelineItem[]>;
}

/** Users' timelines: every item stamped with virtual time, stored, and told to the live stream. */
export function createTimeline({
  store,
  clock,
  events,
}: {
  store: TimelineStore;
  clock: Clock;
  events: EventSink;
}): Timeline {
  const tell = (stored: TimelineItem) => {
    const { record: _record, ...summary } = stored;
    events.emit('timeline', summary);
  };
  const add = async (item: Omit<NewTimelineItem, 'at'>) => {
    const stored = await store.append({ ...item, at: clock.now().toISOString() });
    tell(stored);
    return stored;
  };
  const platformItem = ({ source, message, msgId, record }: PlatformItem) => ({
    source,
    message: { ...message },
    record: { ...record, ...(msgId !== undefined && { msgId }) },
  });
  return {
    add,
    page: (openid, limit, before) => store.page(openid, limit, before),
    item: (id) => store.item(id),
    async settle(sent, record, seen) {
      const shown = await store.settle(
        sent.id,
        record,
        seen && { ...seen, at: clock.now().toISOString() },
      );
      if (shown) tell(shown);
      return [{ ...sent, record }, ...(shown ? [shown] : [])];
    },
    async append(openid, item) {
      await add({ openid, ...platformItem(item) });
    },
    async appendMany(openids, item) {
      const at = clock.now().toISOString();
      const shared = platformItem(item);
      const stored = await store.appendMany(openids.map((openid) => ({ openid, at, ...shared })));
      for (const one of stored) tell(one);
    },
  };
}
