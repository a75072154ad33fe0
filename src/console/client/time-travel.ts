/**
 * The schedule page's time travel: `POST /sim/api/clock` as the signed-in browser (its
 * cookie, and the page's CSRF token as the header the API asks of it), then the page
 * again, showing the new time and the next fire times.
 */

const csrf = () =>
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

async function errorOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  return body.error ?? `${res.status} ${res.statusText}`;
}

/** The earliest next fire time of all schedules, from the admin API. */
async function nextTick(): Promise<string> {
  const res = await fetch('/admin/api/schedule', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(await errorOf(res));
  const { schedules } = (await res.json()) as { schedules: { next: string[] }[] };
  const next = schedules
    .map((s) => s.next[0])
    .filter((at): at is string => at !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  if (!next) throw new Error('there is no schedule to travel to');
  return next;
}

async function travel(body: { advance: string } | { to: string }): Promise<string> {
  const res = await fetch('/sim/api/clock', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(await errorOf(res));
  return ((await res.json()) as { now: string }).now;
}

/** Wires the buttons of `[data-time-travel]`, when the page has them. */
export function startTimeTravel(root: ParentNode = document): void {
  const bar = root.querySelector<HTMLElement>('[data-time-travel]');
  if (!bar) return;
  const status = root.querySelector<HTMLElement>('#clock-status');
  const buttons = [...bar.querySelectorAll<HTMLButtonElement>('button')];
  bar.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest('button');
    if (!button) return;
    for (const b of buttons) b.disabled = true;
    if (status) status.textContent = 'Moving the clock…';
    try {
      const advance = button.dataset.clockAdvance;
      const now = await travel(advance ? { advance } : { to: await nextTick() });
      if (status) status.textContent = `The clock is now ${now}.`;
      location.reload();
    } catch (error) {
      if (status) status.textContent = `The clock did not move: ${(error as Error).message}`;
      for (const b of buttons) b.disabled = false;
    }
  });
}
