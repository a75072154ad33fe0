import MarkdownIt from 'markdown-it';
import type { Entry } from '../content/entry.ts';
import { hasHan } from '../text/normalize.ts';
import { wallClock } from '../time/time-zone.ts';

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/** A URL a link or an image may have: http(s), mail, or one without a scheme (this site). */
export function isSafeUrl(url: string): boolean {
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined || SAFE_SCHEMES.has(scheme);
}

/**
 * Entry bodies are the operator's Markdown, but an entry may come through the admin API:
 * raw HTML is off (written out as text), and a link or image with any scheme but http(s)
 * or mailto (`javascript:`, `data:`, `vbscript:`, `file:`) is left as text.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
markdown.validateLink = isSafeUrl;

/** An entry's Markdown body as HTML, the way its page renders it (raw HTML written out as text). */
export const renderMarkdown = (body: string): string => markdown.render(body);

const isHttpUrl = (url: string) => /^https?:\/\//i.test(url);

/** The language of a text for `lang`: Chinese when it has Han characters and no Latin letters. */
const langOf = (text: string) => (hasHan(text) && !/[A-Za-z]/.test(text) ? 'zh-CN' : 'en');

/** When an entry was published, in the account's time zone; a date without a time shows as a day. */
function dateLine(entry: Entry, timeZone: string): string {
  const local = wallClock(entry.publishedAt, timeZone);
  const shown =
    entry.date.length === 10 ? local.slice(0, 10) : local.slice(0, 16).replace('T', ' ');
  return `<time datetime="${escapeHtml(entry.publishedAt.toISOString())}">${escapeHtml(shown)}</time>`;
}

function page(title: string, lang: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/entry.css">
</head><body>
${body}
</body></html>`;
}

/** One entry as a page: cover, title, date, author, topics, the body rendered, the way back. */
export function entryHtml(entry: Entry, { timeZone }: { timeZone: string }): string {
  const cover =
    entry.cover && isHttpUrl(entry.cover)
      ? `<img class="cover" src="${escapeHtml(entry.cover)}" alt="">\n`
      : '';
  const meta = [dateLine(entry, timeZone), entry.author && escapeHtml(entry.author)]
    .filter(Boolean)
    .join(' · ');
  const topics = entry.topics.length
    ? `<ul class="topics">${entry.topics.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>\n`
    : '';
  return page(
    entry.title,
    langOf(entry.title),
    `<nav><a href="/entries">← All entries</a></nav>
<article>
${cover}<h1>${escapeHtml(entry.title)}</h1>
<p class="meta">${meta}</p>
${topics}${renderMarkdown(entry.body)}</article>
<footer><a href="/entries">All entries</a></footer>`,
  );
}

/** The archive: published entries, newest first, each a link to its page. */
export function archiveHtml(
  entries: Entry[],
  { timeZone, title, more }: { timeZone: string; title: string; more: boolean },
): string {
  const items = entries
    .map(
      (entry) =>
        `<li><a href="/entries/${encodeURIComponent(entry.id)}">${escapeHtml(entry.title)}</a>${dateLine(entry, timeZone)}</li>`,
    )
    .join('\n');
  return page(
    title,
    'en',
    `<h1>${escapeHtml(title)}</h1>
${entries.length ? `<ul class="archive">\n${items}\n</ul>` : '<p>Nothing has been published yet.</p>'}
${more ? '<p class="meta">The newest entries are listed; search the account for older ones.</p>' : ''}`,
  );
}
