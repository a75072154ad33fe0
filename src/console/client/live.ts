/**
 * The console's live stream, watched: the element holding `sse-connect` says whether it is
 * open (`data-live`: `open` or `lost`, shown as a small note by the styles). htmx's SSE
 * extension reconnects by itself; after a reconnect, the progress bars are read again, so
 * an event missed while the stream was down leaves no bar behind.
 *
 * The DOM is typed here by what this module uses: the project's tsconfig has no DOM lib
 * (it would change the Node types of the server code).
 */
interface Element {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selectors: string): Iterable<Element>;
}
interface SseEvent {
  target: Element;
}
interface Page {
  document: { addEventListener(type: string, listener: (event: SseEvent) => void): void };
  htmx?: {
    ajax(verb: 'GET', url: string, context: { target: Element; swap: 'innerHTML' }): unknown;
  };
}

const page = globalThis as unknown as Page;

/** Reads every progress bar under `root` again from its broadcast. */
function refresh(root: Element): void {
  for (const box of root.querySelectorAll('[sse-swap^="broadcast-"]')) {
    const id = box.getAttribute('sse-swap')!.slice('broadcast-'.length);
    page.htmx?.ajax('GET', `/admin/broadcasts/${id}/progress`, { target: box, swap: 'innerHTML' });
  }
}

export function watchLiveStream(): void {
  page.document.addEventListener('htmx:sseOpen', ({ target }) => {
    const reconnected = target.getAttribute('data-live') === 'lost';
    target.setAttribute('data-live', 'open');
    if (reconnected) refresh(target);
  });
  page.document.addEventListener('htmx:sseError', ({ target }) => {
    target.setAttribute('data-live', 'lost');
  });
}
