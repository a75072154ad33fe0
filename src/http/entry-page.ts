import { Router } from 'express';
import type { ContentView } from '../content/library.ts';
import { ENTRY_ID } from '../content/parse-entry.ts';
import { HttpError } from './http-error.ts';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** `GET /entries/:id`: the page an article card links to when the entry has no URL of its own. */
export function entryPage({ library }: { library: ContentView }): Router {
  const router = Router();
  router.get('/entries/:id', (req, res) => {
    const entry = ENTRY_ID.test(req.params.id) ? library.get(req.params.id) : undefined;
    if (!entry) throw new HttpError(404, `no entry "${req.params.id}"`);
    const paragraphs = entry.body
      .split(/\n{2,}/)
      .map((p) => p.replace(/^#+\s*/, '').trim())
      .filter(Boolean)
      .map((p) => `<p>${escapeHtml(p)}</p>`)
      .join('\n');
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(entry.title)}</title>
<style>body{font:16px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}.meta{color:#888}</style>
</head><body><article><h1>${escapeHtml(entry.title)}</h1>
<p class="meta">${escapeHtml(entry.date.slice(0, 10))}${entry.author ? ` · ${escapeHtml(entry.author)}` : ''}</p>
${paragraphs}</article></body></html>`);
  });
  return router;
}
