import type { RequestHandler } from 'express';

/**
 * The entry pages' stylesheet, served from `/assets/entry.css` rather than inline, so the
 * pages work under `style-src 'self'`. Readable on a phone: one column, system fonts with
 * a Chinese fallback, no fixed widths.
 */
const ENTRY_CSS = `:root{color-scheme:light dark}
body{font:17px/1.7 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:0 auto;padding:1rem 1.1rem 3rem;color:#222;background:#fff;overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){body{color:#ddd;background:#111}a{color:#8ab4f8}.meta,.topics,footer{color:#999}}
h1{font-size:1.45rem;line-height:1.35;margin:.6rem 0}
h2,h3,h4{line-height:1.35}
a{color:#1a5fb4}
.meta{color:#777;font-size:.9rem;margin:0 0 1rem}
.topics{color:#777;font-size:.9rem;list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}
.topics li{border:1px solid currentColor;border-radius:1rem;padding:0 .6rem}
img{max-width:100%;height:auto}
.cover{display:block;margin:0 0 1rem;border-radius:.4rem}
pre{overflow-x:auto;background:rgba(127,127,127,.12);padding:.6rem;border-radius:.3rem}
blockquote{margin:0;padding-left:1rem;border-left:3px solid rgba(127,127,127,.4)}
.archive{list-style:none;padding:0}
.archive li{margin:.9rem 0}
.archive time{display:block;color:#777;font-size:.85rem}
nav{font-size:.95rem;margin:.5rem 0}
footer{margin-top:2.5rem;font-size:.9rem;color:#777}
`;

/** `GET /assets/entry.css`. */
export const entryCss: RequestHandler = (_req, res) => {
  res.type('css').set('cache-control', 'public, max-age=3600').send(ENTRY_CSS);
};
