import { api, userPath } from './api.ts';
import { itemElement } from './bubbles.ts';
import { h } from './dom.ts';
import { menuBar, type MenuAction } from './menu.ts';
import type { Item, PlatformState, SimUser } from './types.ts';

/** Items a phone loads when it opens (newest first, in pages of 200). */
export const INITIAL_ITEMS = 1000;
const PAGE = 200;

/** A spot on the map for the location action: People's Square, Shanghai. */
const LOCATION = { x: 31.2304, y: 121.4737, scale: 15, label: '上海市黄浦区人民广场' };

export interface PhoneDeps {
  platform: () => PlatformState | undefined;
  inspect(item: Item, phone: Phone): void;
  close(phone: Phone): void;
  userChanged(user: SimUser): void;
}

/** One simulated user's phone: the conversation, the menu, the composer. */
export class Phone {
  readonly el: HTMLElement;
  private readonly chat: HTMLOListElement;
  private readonly ids = new Set<number>();
  private readonly items = new Map<number, Item>();
  private readonly follow: HTMLButtonElement;
  private readonly menuSlot: HTMLElement;
  private readonly status: HTMLElement;
  private readonly title: HTMLElement;

  constructor(
    public user: SimUser,
    private readonly deps: PhoneDeps,
  ) {
    this.chat = h('ol', {
      class: 'chat',
      'aria-label': `Conversation of ${user.nickname}`,
      'aria-live': 'polite',
      'aria-busy': 'true',
    });
    this.follow = h('button', {
      type: 'button',
      class: 'follow',
      onclick: () => this.toggleFollow(),
    });
    this.menuSlot = h('div', { class: 'menu-slot-wrap' });
    this.status = h('p', { class: 'phone-status', role: 'alert' });
    this.title = h('h2', { class: 'account-name' });
    const close = h(
      'button',
      {
        type: 'button',
        class: 'close',
        'aria-label': `Close the phone of ${user.nickname}`,
        onclick: () => deps.close(this),
      },
      '×',
    );
    this.el = h(
      'section',
      { class: 'phone', 'data-openid': user.openid, 'aria-label': `Phone of ${user.nickname}` },
      h(
        'header',
        { class: 'phone-head' },
        h('span', { class: 'who' }, user.nickname),
        this.title,
        close,
      ),
      this.chat,
      this.status,
      ...this.composer(),
      this.menuSlot,
    );
    this.refreshHead();
  }

  /** The text box, and the buttons for what else a user does. */
  private composer(): HTMLElement[] {
    const { openid, nickname } = this.user;
    const inputId = `say-${openid}`;
    const input = h('input', {
      id: inputId,
      name: 'text',
      autocomplete: 'off',
      maxlength: 2048,
      placeholder: '发消息… / a message',
    });
    const form = h(
      'form',
      { class: 'say' },
      h('label', { class: 'visually-hidden', for: inputId }, `Message from ${nickname}`),
      input,
      h('button', { type: 'submit' }, 'Send'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      void this.act({ type: 'text', text });
    });
    const tool = (label: string, action: () => Record<string, unknown>) =>
      h('button', { type: 'button', onclick: () => void this.act(action()) }, label);
    const exportLink = h(
      'a',
      { class: 'export', href: userPath(openid, '/script'), download: `${openid}.yaml` },
      'Export script',
    );
    const tools = h(
      'div',
      { class: 'tools', role: 'group', 'aria-label': 'Actions' },
      this.follow,
      tool('Image', () => ({ type: 'image' })),
      tool('Location', () => ({ type: 'location', ...LOCATION })),
      tool('Voice', () => ({ type: 'voice', recognition: input.value.trim() || '你好' })),
      exportLink,
    );
    return [form, tools];
  }

  get openid(): string {
    return this.user.openid;
  }

  /** The account's name and the published menu, from the platform's state. */
  refreshHead(): void {
    const state = this.deps.platform();
    this.title.textContent = state?.account.name ?? 'Official Account';
    this.menuSlot.replaceChildren();
    const buttons = state?.menu?.buttons ?? [];
    if (buttons.length > 0)
      this.menuSlot.append(menuBar(buttons, (action: MenuAction) => void this.act(action)));
    this.follow.textContent = this.user.subscribed ? 'Unfollow' : 'Follow';
  }

  /** Loads the newest items (up to INITIAL_ITEMS) and draws them, oldest first. */
  async load(): Promise<void> {
    const newest: Item[] = [];
    for (let before: number | undefined; newest.length < INITIAL_ITEMS;) {
      const query = `?limit=${PAGE}${before ? `&before=${before}` : ''}`;
      const page = await api<{ items: Item[] }>('GET', userPath(this.openid, `/timeline${query}`));
      newest.push(...page.items);
      if (page.items.length < PAGE) break;
      before = page.items.at(-1)!.id;
    }
    const fragment = document.createDocumentFragment();
    for (const item of newest.reverse()) {
      if (this.ids.has(item.id)) continue;
      this.ids.add(item.id);
      this.items.set(item.id, item);
      fragment.append(itemElement(item, (it) => this.deps.inspect(it, this)));
    }
    this.chat.prepend(fragment);
    this.chat.removeAttribute('aria-busy');
    this.scrollDown();
  }

  /**
   * Draws the newest items not drawn yet: what came while the event stream was not open
   * (before it first opened, or while it reconnected).
   */
  async catchUp(): Promise<void> {
    const { items } = await api<{ items: Item[] }>(
      'GET',
      userPath(this.openid, `/timeline?limit=${PAGE}`),
    );
    for (const item of items.reverse()) this.add(item);
  }

  /** A live item from the event stream (or an action's answer); each is drawn once. */
  add(item: Item): void {
    if (this.ids.has(item.id)) return;
    this.ids.add(item.id);
    this.items.set(item.id, item);
    const el = itemElement(item, (it) => this.deps.inspect(it, this));
    // Items come in order but for a race between an action's answer and the stream.
    const newest = this.chat.lastElementChild as HTMLElement | null;
    const later =
      newest && Number(newest.dataset.id) > item.id
        ? [...this.chat.children].find((li) => Number((li as HTMLElement).dataset.id) > item.id)
        : undefined;
    this.chat.insertBefore(el, later ?? null);
    this.scrollDown();
  }

  /** The user's own item that led to `item` (itself, or the latest before it). */
  actionFor(item: Item): Item | undefined {
    for (let id = item.id; id > 0 && id >= item.id - 50; id--) {
      const found = this.items.get(id);
      if (found?.source === 'user') return found;
    }
    return undefined;
  }

  /** Marks the inspected item and scrolls it into view (a deep link may name an old one). */
  reveal(id: number): void {
    for (const el of this.chat.querySelectorAll('.inspected')) el.classList.remove('inspected');
    const el = this.chat.querySelector<HTMLElement>(`li[data-id="${id}"]`);
    el?.classList.add('inspected');
    el?.scrollIntoView({ block: 'center' });
  }

  clear(): void {
    this.ids.clear();
    this.items.clear();
    this.chat.replaceChildren();
  }

  private scrollDown(): void {
    this.chat.scrollTop = this.chat.scrollHeight;
  }

  private async toggleFollow(): Promise<void> {
    await this.act(this.user.subscribed ? { type: 'unfollow' } : { type: 'follow' });
  }

  /** Sends an action; what it put on the timeline is drawn at once (the stream may follow). */
  async act(action: Record<string, unknown>): Promise<Item[]> {
    this.status.textContent = '';
    let items: Item[] = [];
    try {
      ({ items } = await api<{ items: Item[] }>('POST', userPath(this.openid, '/actions'), action));
      for (const item of items) this.add(item);
    } catch (error) {
      this.status.textContent = error instanceof Error ? error.message : 'the action failed';
    }
    if (action.type === 'follow' || action.type === 'unfollow') await this.reloadUser();
    return items;
  }

  async reloadUser(): Promise<void> {
    const { user } = await api<{ user: SimUser }>('GET', userPath(this.openid));
    this.user = user;
    this.refreshHead();
    this.deps.userChanged(user);
  }
}
