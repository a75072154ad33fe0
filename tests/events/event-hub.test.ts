import { describe, expect, it } from 'vitest';
import type { Broadcast } from '../../src/broadcast/broadcast-types.ts';
import { createEventHub, type AccountEvent } from '../../src/events/event-hub.ts';

const event = (id: number): AccountEvent => ({
  type: 'broadcast',
  broadcast: { id } as Broadcast,
});

describe('the event hub', () => {
  it('gives every subscriber each event from its subscription on, until it leaves', () => {
    const hub = createEventHub();
    const first: number[] = [];
    const second: number[] = [];
    const leave = hub.subscribe((e) => first.push(e.broadcast.id));
    hub.publish(event(1));
    hub.subscribe((e) => second.push(e.broadcast.id));
    hub.publish(event(2));
    leave();
    hub.publish(event(3));
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([2, 3]);
  });

  it('drops a listener that throws, and the others still get the event', () => {
    const hub = createEventHub();
    const seen: number[] = [];
    hub.subscribe(() => {
      throw new Error('the stream went away');
    });
    hub.subscribe((e) => seen.push(e.broadcast.id));
    hub.publish(event(1));
    hub.publish(event(2));
    expect(seen).toEqual([1, 2]);
  });

  it('tells each subscriber when it closes, and publishes to nobody after', () => {
    const hub = createEventHub();
    let closed = 0;
    const seen: number[] = [];
    hub.subscribe(
      (e) => seen.push(e.broadcast.id),
      () => closed++,
    );
    hub.close();
    hub.publish(event(1));
    expect(closed).toBe(1);
    expect(seen).toEqual([]);
  });
});
