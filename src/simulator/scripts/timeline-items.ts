/**
 * What scripts read from a user's timeline (`GET /sim/api/users/:openid/timeline`), in one
 * small shape. The simulator's items carry the raw exchange too; scripts need only who
 * spoke, when, and what the phone showed. Reading is lenient about field names (`source`
 * or `kind`, `msgtype` or `type`), so an item the simulator enriches later still reads.
 */

/** What the phone shows for one message. */
export type Shown =
  | { type: 'text'; text: string }
  | { type: 'articles'; articles: { title: string; description?: string; url?: string }[] }
  | { type: 'other'; msgType: string };

/** How a message reached the user. */
export type Delivery = 'reply' | 'custom' | 'mass' | 'preview';

export type TimelineEntry = { id: string; at: string } & (
  | { side: 'user'; action: Record<string, unknown> }
  | { side: 'account'; delivery: Delivery; message: Shown }
  | { side: 'error'; problem: 'dropped' | 'unavailable' | 'other'; text: string }
);

type Raw = Record<string, unknown>;

const USER_SOURCES = ['user', 'sent', 'action', 'inbound'];
const ERROR_SOURCES = ['error', 'platform-error', 'dropped', 'failed', 'unavailable'];
const DELIVERIES: Delivery[] = ['reply', 'custom', 'mass', 'preview'];

/** The entry an item stands for, or undefined for an item scripts do not read. */
export function readTimelineItem(raw: unknown): TimelineEntry | undefined {
  if (!isRecord(raw)) return undefined;
  const id = raw.id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const head = { id: String(id), at: stringOf(raw.at) ?? stringOf(raw.time) ?? '' };
  const source = stringOf(raw.source) ?? stringOf(raw.kind) ?? stringOf(raw.type) ?? '';
  if (USER_SOURCES.includes(source))
    return { ...head, side: 'user', action: recordOf(raw.action) ?? recordOf(raw.message) ?? {} };
  if (ERROR_SOURCES.includes(source))
    return { ...head, side: 'error', ...readProblem(raw, source) };
  const delivery = DELIVERIES.find((d) => d === source || source === `${d}-message`);
  const message = recordOf(raw.message) ?? recordOf(raw.reply);
  if (!delivery || !message) return undefined;
  return { ...head, side: 'account', delivery, message: readShown(message) };
}

/** A platform message (`{msgtype, text | articles}`) as the phone shows it. */
export function readShown(message: Raw): Shown {
  const msgType = (stringOf(message.msgtype) ?? stringOf(message.type) ?? '').toLowerCase();
  if (msgType === 'text') {
    const text = message.text ?? message.content;
    const body = isRecord(text) ? stringOf(text.content) : stringOf(text);
    return { type: 'text', text: body ?? '' };
  }
  const articles = message.articles ?? (isRecord(message.news) ? message.news.articles : undefined);
  if (['news', 'mpnews', 'articles'].includes(msgType) && Array.isArray(articles))
    return {
      type: 'articles',
      articles: articles.filter(isRecord).map((a) => ({
        title: stringOf(a.title) ?? '',
        ...optional('description', stringOf(a.description) ?? stringOf(a.digest)),
        ...optional('url', stringOf(a.url)),
      })),
    };
  return { type: 'other', msgType: msgType || 'unknown' };
}

function readProblem(
  raw: Raw,
  source: string,
): { problem: 'dropped' | 'unavailable' | 'other'; text: string } {
  const error = recordOf(raw.error) ?? raw;
  const kind = stringOf(error.kind) ?? stringOf(error.problem) ?? source;
  const text =
    stringOf(error.rule) ??
    stringOf(error.reason) ??
    stringOf(error.message) ??
    stringOf(error.text) ??
    '';
  if (kind === 'dropped' || 'rule' in error) return { problem: 'dropped', text };
  if (['failed', 'unavailable', 'timeout', 'callback-failed'].includes(kind))
    return { problem: 'unavailable', text };
  return { problem: 'other', text };
}

/** One line a person can read: `text "Welcome…"` or `2 articles ["A", "B"]`. */
export function showMessage(shown: Shown): string {
  if (shown.type === 'text') return `text ${JSON.stringify(shown.text)}`;
  if (shown.type === 'other') return `a ${shown.msgType} message`;
  const titles = shown.articles.map((a) => JSON.stringify(a.title)).join(', ');
  const count = shown.articles.length;
  return `${count} article${count === 1 ? '' : 's'} [${titles}]`;
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function recordOf(value: unknown): Raw | undefined {
  return isRecord(value) ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
