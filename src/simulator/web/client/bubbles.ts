import { h } from './dom.ts';
import type { Article, Item, ShownMessage } from './types.ts';

const SOURCE_LABEL: Partial<Record<Item['source'], string>> = {
  custom: 'customer-service message',
  mass: 'mass message',
  preview: 'preview',
};

/** What a user's action looks like on their own phone. */
function actionBubble(action: NonNullable<Item['action']>): { note?: string; text?: string } {
  const str = (key: string) => (typeof action[key] === 'string' ? (action[key] as string) : '');
  switch (action.type) {
    case 'text':
      return { text: str('text') };
    case 'image':
      return { text: '[Image]' };
    case 'voice':
      return { text: `[Voice] ${str('recognition')}`.trim() };
    case 'location':
      return { text: `[Location] ${str('label') || `${String(action.x)}, ${String(action.y)}`}` };
    case 'link':
      return { text: `[Link] ${str('title')}` };
    case 'follow':
      return { note: 'You followed the account' };
    case 'unfollow':
      return { note: 'You unfollowed the account' };
    case 'click':
      return { note: `You tapped the menu (${str('key')})` };
    case 'view':
      return { note: `You opened ${str('url')} from the menu` };
    case 'scan':
      return { note: `You scanned the QR code "${str('scene')}"` };
    default:
      return { note: String(action.type) };
  }
}

/** Article cards as WeChat draws them: the first large with its cover, the rest as rows. */
export function articleCards(articles: Article[]): HTMLElement {
  const cover = (article: Article, cls: string) => {
    const el = h('div', { class: cls, 'aria-hidden': 'true' }, [...article.title][0] ?? '·');
    if (article.picUrl && /^https?:\/\//.test(article.picUrl)) {
      // The cover, where it can be fetched; the drawn placeholder stays when it cannot.
      const img = h('img', { src: article.picUrl, alt: '', loading: 'lazy' });
      img.addEventListener('error', () => img.remove());
      el.append(img);
    }
    return el;
  };
  if (articles.length === 1) {
    const [one] = articles as [Article];
    return h(
      'div',
      { class: 'cards single' },
      h('p', { class: 'card-title' }, one.title),
      cover(one, 'card-cover'),
      one.description ? h('p', { class: 'card-desc' }, one.description) : null,
    );
  }
  const [first, ...rest] = articles as [Article, ...Article[]];
  return h(
    'div',
    { class: 'cards multi' },
    h(
      'div',
      { class: 'card-lead' },
      cover(first, 'card-cover'),
      h('p', { class: 'card-lead-title' }, first.title),
    ),
    ...rest.map((article) =>
      h(
        'div',
        { class: 'card-row' },
        h('p', { class: 'card-row-title' }, article.title),
        cover(article, 'card-thumb'),
      ),
    ),
  );
}

function messageBody(message: ShownMessage): HTMLElement {
  if (message.articles && message.articles.length > 0) return articleCards(message.articles);
  if (typeof message.text === 'string') return h('div', { class: 'bubble' }, message.text);
  return h('div', { class: 'bubble' }, `[${message.msgtype}]`);
}

/** One timeline item as a list entry; clicking (or Enter on) it opens the inspector. */
export function itemElement(item: Item, onInspect: (item: Item) => void): HTMLLIElement {
  const open = () => onInspect(item);
  const keys = (event: Event) => {
    const key = (event as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') {
      event.preventDefault();
      open();
    }
  };
  const focusable = {
    tabindex: 0,
    role: 'button',
    onclick: open,
    onkeydown: keys,
  };
  if (item.source === 'user') {
    const shown = actionBubble(item.action ?? {});
    const broken = typeof item.action?.break === 'string' ? ` (broken: ${item.action.break})` : '';
    if (shown.note)
      return h(
        'li',
        { class: 'note', 'data-id': item.id },
        h(
          'span',
          { ...focusable, 'aria-label': `${shown.note}${broken}: inspect` },
          shown.note + broken,
        ),
      );
    return h(
      'li',
      { class: 'msg mine', 'data-id': item.id },
      h(
        'div',
        { ...focusable, class: 'bubble', 'aria-label': `You: ${shown.text}${broken}. Inspect` },
        shown.text ?? '',
      ),
      broken ? h('span', { class: 'tag' }, broken.trim()) : null,
    );
  }
  if (item.source === 'error' && !item.message)
    return h(
      'li',
      { class: 'note error-note', 'data-id': item.id },
      h(
        'span',
        { ...focusable, 'aria-label': `${item.error?.message ?? 'error'}: inspect` },
        item.error?.message ?? 'error',
      ),
    );
  const label = SOURCE_LABEL[item.source];
  const body = messageBody(item.message ?? { msgtype: 'text', text: '' });
  return h(
    'li',
    { class: `msg theirs source-${item.source}`, 'data-id': item.id },
    h('div', { class: 'avatar', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'theirs-body' },
      label ? h('span', { class: 'tag' }, label) : null,
      h(
        'div',
        {
          ...focusable,
          class: 'press',
          'aria-label': `Account: ${body.textContent ?? ''}. Inspect`,
        },
        body,
      ),
    ),
  );
}
