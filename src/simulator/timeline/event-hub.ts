import type { Response } from 'express';
import type { EventSink } from '../platform/ports.ts';

/** A comment line every so often keeps proxies and browsers from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;

/** The live stream's fan-out: every event to every open `GET /sim/api/events`. */
export function createEventHub(): EventSink & {
  subscribe(res: Response): void;
  close(): void;
  clients(): number;
} {
  const clients = new Set<Response>();
  let seq = 0;
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(': heartbeat\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    emit(type, data) {
      if (clients.size === 0) return;
      const frame = `id: ${++seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const res of clients) res.write(frame);
    },
    subscribe(res) {
      res.status(200).set({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      res.write(': connected\n\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    close() {
      clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
    },
    clients: () => clients.size,
  };
}
