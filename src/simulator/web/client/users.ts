import { api, sim } from './api.ts';
import { byId, h } from './dom.ts';
import type { SimUser } from './types.ts';

/** The list of simulated users beside the phones, with unread badges. */
export class UserList {
  private readonly list = byId<HTMLUListElement>('user-list');
  private readonly total = byId('users-total');
  private readonly users = new Map<string, SimUser>();
  private readonly unread = new Map<string, number>();
  private pending: number | undefined;

  constructor(
    private readonly open: (user: SimUser) => void,
    private readonly isOpen: (openid: string) => boolean,
  ) {
    byId<HTMLFormElement>('new-user').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = byId<HTMLInputElement>('new-user-name');
      const nickname = input.value.trim();
      if (!nickname) return;
      void api<{ user: SimUser }>('POST', sim('/users'), { nickname }).then(({ user }) => {
        input.value = '';
        this.users.set(user.openid, user);
        this.open(user);
        return this.load();
      }, this.fail);
    });
    byId<HTMLFormElement>('new-population').addEventListener('submit', (event) => {
      event.preventDefault();
      const count = Number(byId<HTMLInputElement>('population-count').value);
      const seed = `page-${Date.now().toString(36)}`;
      void api('POST', sim('/users'), { count, seed }).then(() => this.load(), this.fail);
    });
  }

  private fail = (error: unknown) => {
    this.total.textContent = error instanceof Error ? error.message : 'failed';
  };

  async load(): Promise<void> {
    const { total, users } = await api<{ total: number; users: SimUser[] }>(
      'GET',
      sim('/users?limit=200'),
    );
    this.users.clear();
    for (const user of users) this.users.set(user.openid, user);
    this.total.textContent =
      total > users.length ? `${users.length} of ${total} users shown` : `${total} users`;
    this.render();
  }

  get(openid: string): SimUser | undefined {
    return this.users.get(openid);
  }

  update(user: SimUser): void {
    this.users.set(user.openid, user);
    this.render();
  }

  /** A new item for a user whose phone is not open: one more unread. */
  bump(openid: string): void {
    if (!this.users.has(openid) || this.isOpen(openid)) return;
    this.unread.set(openid, (this.unread.get(openid) ?? 0) + 1);
    // A mass send brings one event per follower: the list is drawn once a frame at most.
    this.pending ??= requestAnimationFrame(() => {
      this.pending = undefined;
      this.render();
    });
  }

  read(openid: string): void {
    if (this.unread.delete(openid)) this.render();
  }

  render(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset.openid;
    const rows = [...this.users.values()].map((user) => {
      const unread = this.unread.get(user.openid) ?? 0;
      const button = h(
        'button',
        {
          type: 'button',
          class: `user${this.isOpen(user.openid) ? ' open' : ''}`,
          'data-openid': user.openid,
          'aria-pressed': this.isOpen(user.openid) ? 'true' : 'false',
          onclick: () => this.open(user),
        },
        h('span', { class: 'nick' }, user.nickname),
        h('span', { class: 'state' }, user.subscribed ? 'following' : 'not following'),
        unread > 0
          ? h('span', { class: 'badge', 'aria-label': `${unread} unread` }, String(unread))
          : null,
      );
      return h('li', {}, button);
    });
    this.list.replaceChildren(...rows);
    if (focused)
      this.list.querySelector<HTMLElement>(`[data-openid="${CSS.escape(focused)}"]`)?.focus();
  }
}
