/**
 * One event stream for every tab of the phone page (a SharedWorker): a browser opens at
 * most six HTTP/1.1 connections to one host, and each open EventSource holds one for
 * good, so six tabs with their own streams would leave none for the pages' API calls.
 * The worker relays each event to every tab; the EventSource reconnects by itself.
 */

export type Relayed =
  { type: 'open' } | { type: 'error' } | { type: 'event'; event: string; data: string };

const EVENTS = ['timeline', 'clock', 'menu', 'reset'];
const ports = new Set<MessagePort>();
let stream: EventSource | undefined;

const relay = (message: Relayed) => {
  for (const port of ports) port.postMessage(message);
};

function connect(): EventSource {
  const source = new EventSource('/sim/api/events');
  source.addEventListener('open', () => relay({ type: 'open' }));
  source.addEventListener('error', () => relay({ type: 'error' }));
  for (const event of EVENTS)
    source.addEventListener(event, (e) =>
      relay({ type: 'event', event, data: (e as MessageEvent<string>).data }),
    );
  return source;
}

(self as unknown as { onconnect: (event: MessageEvent) => void }).onconnect = (event) => {
  const port = event.ports[0]!;
  ports.add(port);
  port.addEventListener('message', (message: MessageEvent<string>) => {
    if (message.data === 'bye') ports.delete(port);
  });
  port.start();
  stream ??= connect();
  if (stream.readyState === EventSource.OPEN) port.postMessage({ type: 'open' } satisfies Relayed);
};
