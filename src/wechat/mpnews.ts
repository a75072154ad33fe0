import type { Article } from '../engine/types.ts';
import type { NewsUpload } from './api-client.ts';
import { ERRCODE, WechatApiError } from './api-error.ts';

/**
 * The cover every mass-sent card carries: `media/uploadnews` needs a permanent thumb
 * material, and the project has no image of its own nor fetches covers from the web.
 * This is the 543-byte JPEG of the Python logo from CPython's `imghdr` test data (a
 * valid baseline JFIF, well under the platform's 64 KB limit on a thumb).
 */
export const THUMB_JPEG = Buffer.from(
  [
    '/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN',
    'Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ',
    'EBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAA',
    'AAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQME',
    'BQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXm',
    'm3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5',
    'SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27f',
    'lGAUgmITjbhSmCg3BYlyeWDkMolvw4KOp1KM6iCNvngZHwetf//Z',
  ].join(''),
  'base64',
);
export const THUMB_FILENAME = 'cover.jpg';

/** The platform's limits on an uploaded article (characters). */
const LIMITS = { title: 64, digest: 120, author: 64, content: 20_000 } as const;

/** The client calls this needs. */
export interface MpnewsClient {
  uploadNews(articles: NewsUpload[]): Promise<string>;
  addThumbMaterial(jpeg: Buffer, filename: string): Promise<string>;
}

/**
 * Uploads an articles reply as `mpnews` material and answers its media_id. The thumb is
 * uploaded once and its media_id kept in memory; a 40007 (the platform no longer knows
 * it) uploads it again, once, and the news with it.
 */
export function createMpnewsUploader(client: MpnewsClient, author = '') {
  let thumb: Promise<string> | undefined;
  const thumbId = () => {
    // Shared by concurrent callers; forgotten on failure so the next send tries again.
    thumb ??= client.addThumbMaterial(THUMB_JPEG, THUMB_FILENAME).catch((error: unknown) => {
      thumb = undefined;
      throw error;
    });
    return thumb;
  };
  return async function upload(articles: Article[]): Promise<string> {
    const id = await thumbId();
    try {
      return await client.uploadNews(articles.map((a) => newsArticle(a, id, author)));
    } catch (error) {
      if (!(error instanceof WechatApiError) || error.errcode !== ERRCODE.INVALID_MEDIA_ID)
        throw error;
      if (thumb && (await thumb) === id) thumb = undefined;
      const fresh = await thumbId();
      return client.uploadNews(articles.map((a) => newsArticle(a, fresh, author)));
    }
  };
}

/** One card as an uploaded article: the summary and a link, within the platform's limits. */
export function newsArticle(article: Article, thumbMediaId: string, author = ''): NewsUpload {
  const link = `<p><a href="${escapeHtml(article.url)}">${escapeHtml(article.url)}</a></p>`;
  // The summary is clipped before it is escaped and wrapped, so no tag is cut in two.
  const room = LIMITS.content - [...link].length - 64;
  const summary = escapeHtml(clip(article.description.trim(), Math.max(Math.floor(room / 6), 0)));
  const content = summary ? `<p>${summary}</p>${link}` : link;
  return {
    title: clip(article.title.trim() || article.url, LIMITS.title),
    content,
    digest: clip(article.description.trim(), LIMITS.digest),
    author: clip(author, LIMITS.author),
    content_source_url: article.url,
    show_cover_pic: 0,
    thumb_media_id: thumbMediaId,
  };
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );
}
