import { api, sim } from './api.ts';
import { byId, formatTime, h } from './dom.ts';
import type { Schedule } from './types.ts';

/**
 * The virtual clock: its time, the account's next schedule ticks (hosted: the admin API's
 * `/admin/api/schedule`; alone, there is none and the part hides), and buttons to advance.
 */
export class ClockBar {
  private readonly now = byId<HTMLTimeElement>('clock-now');
  private readonly ticks = byId('clock-ticks');
  private readonly tickList = byId('clock-tick-list');
  private readonly nextButton = byId<HTMLButtonElement>('clock-next');
  private nextTick: string | undefined;
  private zone = 'Asia/Shanghai';
  private hasSchedule = true;

  constructor(private readonly report: (message: string) => void) {
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-advance]'))
      button.addEventListener('click', () => void this.move({ advance: button.dataset.advance }));
    this.nextButton.addEventListener('click', () => {
      if (this.nextTick) void this.move({ to: this.nextTick });
    });
  }

  private async move(body: Record<string, unknown>): Promise<void> {
    try {
      const { now } = await api<{ now: string }>('POST', sim('/clock'), body);
      this.show(now);
      await this.loadSchedule();
    } catch (error) {
      this.report(error instanceof Error ? error.message : 'the clock did not move');
    }
  }

  show(iso: string): void {
    this.now.dateTime = iso;
    this.now.textContent = `${formatTime(iso, this.zone)} (${this.zone})`;
  }

  async load(): Promise<void> {
    const { now } = await api<{ now: string }>('GET', sim('/clock'));
    await this.loadSchedule();
    this.show(now);
  }

  async loadSchedule(): Promise<void> {
    if (!this.hasSchedule) return;
    let schedules: Schedule[];
    try {
      ({ schedules } = await api<{ schedules: Schedule[] }>('GET', '/admin/api/schedule'));
    } catch {
      // Alone, the simulator has no account and no schedule: the part stays hidden.
      this.hasSchedule = false;
      return;
    }
    const upcoming = schedules
      .flatMap((s) => s.next.map((at) => ({ name: s.kind, at, zone: s.timeZone })))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    if (upcoming[0]) this.zone = upcoming[0].zone;
    this.nextTick = upcoming[0] ? new Date(upcoming[0].at).toISOString() : undefined;
    this.tickList.replaceChildren(
      ...upcoming
        .slice(0, 3)
        .map(({ name, at, zone }) =>
          h('span', { class: 'tick' }, `${formatTime(at, zone)} ${name}`),
        ),
    );
    this.ticks.hidden = upcoming.length === 0;
    this.nextButton.hidden = !this.nextTick;
  }
}
