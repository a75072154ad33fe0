import type { Reply } from '../engine/types.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { wallClock } from '../time/time-zone.ts';

const isHttpUrl = (url: string) => /^https?:\/\//i.test(url);

/**
 * A reply as a phone shows it: article cards the way WeChat draws them (the first large,
 * with its cover; the rest as rows with a thumbnail), or a text bubble.
 */
export function replyPreview(reply: Reply): SafeHtml {
  if (reply.type === 'text') return html`<div class="bubble">${reply.text}</div>`;
  return html`<ol class="cards" aria-label="Article cards">
    ${reply.articles.map(
      (article, i) =>
        html`<li class="${i === 0 ? 'card card-lead' : 'card'}">
          <a href="${article.url}">
            ${
              isHttpUrl(article.picUrl)
                ? html`<img src="${article.picUrl}" alt="" loading="lazy" />`
                : html`<span class="no-cover" aria-hidden="true"></span>`
            }
            <span class="card-title">${article.title}</span>
            ${
              i === 0 && article.description
                ? html`<span class="card-summary">${article.description}</span>`
                : ''
            }
          </a>
        </li>`,
    )}
  </ol>`;
}

/** A time in the account's zone, as an operator reads it: `2026-11-24 09:00`. */
export function localTime(at: Date, timeZone: string): SafeHtml {
  const shown = wallClock(at, timeZone).slice(0, 16).replace('T', ' ');
  return html`<time datetime="${at.toISOString()}">${shown}</time>`;
}
