import { randomBytes } from 'node:crypto';
import { bodyOf, seconds, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { createMediaStore, NewsArticle } from './media-store.ts';
import type { PlatformMessage } from './ports.ts';

/** News material limits: 8 articles; a title of 64 characters, a digest of 120. */
export const NEWS_LIMITS = {
  articles: 8,
  titleChars: 64,
  digestChars: 120,
  authorChars: 64,
  contentChars: 20_000,
} as const;

type MediaStore = ReturnType<typeof createMediaStore>;

/** Permanent material types and their limits (bytes; the file extensions taken). */
export const MATERIAL_LIMITS = {
  thumb: { bytes: 64 * 1024, extensions: /\.(jpe?g)$/i },
  image: { bytes: 10 * 1024 * 1024, extensions: /\.(jpe?g|png|gif|bmp)$/i },
} as const;

/** `media/uploadnews`, and the messages its material becomes on a phone. */
export function createMedia(store: MediaStore) {
  const api: ApiTable = {
    'media/uploadimg': {
      token: true,
      upload: true,
      handle: ({ raw }) => ({ url: imageUrl(raw) }),
    },
    'material/add_material': {
      token: true,
      upload: true,
      async handle({ query, raw, now }) {
        const type = query.type ?? '';
        if (type !== 'thumb' && type !== 'image')
          throw new PlatformError(40004, `material type "${type}" is not thumb or image`);
        const { filename, size } = mediaPart(raw);
        const limits = MATERIAL_LIMITS[type];
        if (!limits.extensions.test(filename))
          throw new PlatformError(40005, `"${filename}" is not a file type a ${type} takes`);
        if (size > limits.bytes)
          throw new PlatformError(40006, `a ${type} is at most ${limits.bytes} bytes`);
        const mediaId = randomBytes(48).toString('base64url');
        await store.putMaterial(mediaId, type, now);
        return { media_id: mediaId, url: `http://mmbiz.qpic.cn/mmbiz_jpg/${mediaId}/0` };
      },
    },
    'media/uploadnews': {
      token: true,
      body: true,
      async handle(request) {
        const articles = bodyOf(request).articles;
        if (!Array.isArray(articles) || articles.length === 0)
          throw new PlatformError(44003, 'the body has no articles');
        if (articles.length > NEWS_LIMITS.articles)
          throw new PlatformError(
            45008,
            `news material has at most ${NEWS_LIMITS.articles} articles`,
          );
        const valid = articles.map((article: unknown, i) => validateArticle(article, i));
        for (const [i, a] of valid.entries())
          if (!(await store.materialType(a.thumb_media_id)))
            throw new PlatformError(
              40007,
              `article ${i + 1}'s thumb_media_id names no permanent material`,
            );
        // Real media_ids are 64 characters of [A-Za-z0-9_-].
        const mediaId = randomBytes(48).toString('base64url');
        await store.put(mediaId, valid, request.now);
        return { type: 'news', media_id: mediaId, created_at: seconds(request.now) };
      },
    },
  };

  /** The phone's view of uploaded material; 40007 when the media_id is unknown. */
  async function messageOf(mediaId: unknown): Promise<PlatformMessage> {
    if (typeof mediaId !== 'string' || !mediaId)
      throw new PlatformError(41006, 'the message names no media_id');
    const articles = await store.get(mediaId);
    if (!articles) throw new PlatformError(40007, `no material has media_id ${mediaId}`);
    return {
      msgtype: 'mpnews',
      articles: articles.map((a) => ({
        title: a.title,
        description: a.digest ?? a.content.slice(0, 54),
        url: a.content_source_url,
        author: a.author,
      })),
    };
  }

  return { api, messageOf };
}

/**
 * `media/uploadimg` takes one `media` part, a JPG or PNG, and answers the address it will
 * have inside articles. The simulator keeps no image: only the part's headers are read.
 */
function imageUrl(raw: string): string {
  const part = /content-disposition:[^\r\n]*name="media"[^\r\n]*filename="([^"]*)"/i.exec(raw);
  if (!part) throw new PlatformError(41005, 'the upload has no "media" file part');
  const extension = /\.(jpe?g|png)$/i.exec(part[1] ?? '')?.[1]?.toLowerCase();
  if (!extension) throw new PlatformError(40005, 'an article image is a .jpg or .png file');
  const kind = extension === 'png' ? 'png' : 'jpg';
  return `http://mmbiz.qpic.cn/mmbiz_${kind}/${randomBytes(24).toString('base64url')}/0`;
}

/**
 * The `media` file part of a multipart body: its filename and size. The body arrives as
 * text, where each byte that is not UTF-8 became one character, so the part's length in
 * characters is near its length in bytes: close enough for a limit.
 */
function mediaPart(raw: string): { filename: string; size: number } {
  const boundary = /^--([^\r\n]{1,200})\r\n/.exec(raw)?.[1];
  const head = /content-disposition:[^\r\n]*name="media"[^\r\n]*filename="([^"]*)"/i.exec(raw);
  if (!boundary || !head) throw new PlatformError(41005, 'the upload has no "media" file part');
  const start = raw.indexOf('\r\n\r\n', head.index);
  const end = raw.indexOf(`\r\n--${boundary}`, start);
  if (start < 0 || end < 0) throw new PlatformError(41005, 'the "media" part is cut short');
  return { filename: head[1] ?? '', size: end - (start + 4) };
}

function validateArticle(value: unknown, i: number): NewsArticle {
  if (typeof value !== 'object' || value === null)
    throw new PlatformError(47001, `article ${i + 1} is not an object`);
  const a = value as Json;
  const where = `article ${i + 1}`;
  if (typeof a.thumb_media_id !== 'string' || !a.thumb_media_id)
    throw new PlatformError(40007, `${where} has no thumb_media_id`);
  if (typeof a.title !== 'string' || !a.title.trim())
    throw new PlatformError(44003, `${where} has no title`);
  if ([...a.title].length > NEWS_LIMITS.titleChars)
    throw new PlatformError(45003, `${where}'s title is over ${NEWS_LIMITS.titleChars} characters`);
  if (typeof a.content !== 'string' || !a.content.trim())
    throw new PlatformError(44003, `${where} has no content`);
  if ([...a.content].length > NEWS_LIMITS.contentChars)
    throw new PlatformError(45002, `${where}'s content is over 20,000 characters`);
  const digest = optional(a.digest, where, 'digest');
  if (digest !== undefined && [...digest].length > NEWS_LIMITS.digestChars)
    throw new PlatformError(
      45004,
      `${where}'s digest is over ${NEWS_LIMITS.digestChars} characters`,
    );
  const author = optional(a.author, where, 'author');
  if (author !== undefined && [...author].length > NEWS_LIMITS.authorChars)
    throw new PlatformError(
      45002,
      `${where}'s author is over ${NEWS_LIMITS.authorChars} characters`,
    );
  return {
    thumb_media_id: a.thumb_media_id,
    title: a.title,
    content: a.content,
    author,
    digest,
    content_source_url: optional(a.content_source_url, where, 'content_source_url'),
    show_cover_pic: a.show_cover_pic === 1 || a.show_cover_pic === '1' ? 1 : 0,
  };
}

function optional(value: unknown, where: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new PlatformError(47001, `${where}'s ${field} is not text`);
  return value;
}
