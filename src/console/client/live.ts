/**
 * The console's live stream, watched: the element holding `sse-connect` says whether it is
 * open (`data-live`: `open` or `lost`, shown as a small note by the styles). htmx's SSE
 * extension reconnects by itself. Whenever the stream opens, the first time too, the
 * progress bars are read again: an event sent while the stream was down, or between the
 * page's rendering and the stream's opening, leaves no bar behind.
 */

/** How many times the stream has redrawn each bar: a bar it redrew since is newer than a read. */
const redrawn = new WeakMap<Element, number>();

/**
 * Reads a bar again from its broadcast, and draws it unless the stream redrew it meanwhile.
 * The stream is open before the read, so its redraw carries the newer state, or a later
 * event of the stream will.
 */
async function refresh(box: Element, id: string): Promise<void> {
  const before = redrawn.get(box) ?? 0;
  const res = await fetch(`/admin/broadcasts/${encodeURIComponent(id)}/progress`, {
    headers: { accept: 'text/html' },
  });
  if (!res.ok) return;
  const fragment = await res.text();
  // Our own server's fragment, the same the stream swaps in; it holds no script.
  if ((redrawn.get(box) ?? 0) === before) box.innerHTML = fragment;
}

export function watchLiveStream(): void {
  document.addEventListener('htmx:sseOpen', (event) => {
    const stream = event.target as Element;
    stream.setAttribute('data-live', 'open');
    for (const box of stream.querySelectorAll('[sse-swap^="broadcast-"]')) {
      const id = box.getAttribute('sse-swap')!.slice('broadcast-'.length);
      void refresh(box, id).catch(() => {});
    }
  });
  document.addEventListener('htmx:sseMessage', (event) => {
    const box = event.target as Element;
    redrawn.set(box, (redrawn.get(box) ?? 0) + 1);
  });
  document.addEventListener('htmx:sseError', (event) => {
    (event.target as Element).setAttribute('data-live', 'lost');
  });
}
