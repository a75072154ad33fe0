import { Router, type Response } from 'express';
import type { AccountEvent, EventHub } from '../events/event-hub.ts';
import { progressFragment } from './broadcast-progress.ts';

/** A comment line now and then keeps proxies and browsers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** One server-sent event; each line of the data on a `data:` line of its own. */
function frame(name: string, data: string): string {
  const lines = data.split('\n').map((line) => `data: ${line}`);
  return `event: ${name}\n${lines.join('\n')}\n\n`;
}

/** An account event as the console's pages take it: named for its element, HTML to swap in. */
function toFrame(event: AccountEvent): string {
  // The fragment's line breaks are only formatting: one line of data is one `data:` line.
  const fragment = progressFragment(event.broadcast).text.replace(/\s*\n\s*/g, ' ');
  return frame(`broadcast-${event.broadcast.id}`, fragment);
}

/**
 * `GET /admin/events`: the console's live stream (server-sent events, for htmx's SSE
 * extension). A broadcast's progress comes as `broadcast-<id>` with the HTML of its bar.
 * Nothing is polled: the hub calls when a batch settles. The browser reconnects by itself.
 */
export function eventsRoute(events: EventHub | undefined): Router {
  const router = Router();
  router.get('/events', (req, res: Response) => {
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    res.write(': connected\n\n');
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const unsubscribe = events?.subscribe(
      (event) => void res.write(toFrame(event)),
      () => res.end(),
    );
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe?.();
    });
  });
  return router;
}
