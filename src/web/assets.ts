import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { createBundle } from './bundle.ts';

const require = createRequire(import.meta.url);

/** A file of an installed package, found from the package's own entry point. */
export function packageFile(pkg: string, file: string): string {
  const entry = require.resolve(pkg);
  const marker = `node_modules/${pkg}/`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot locate the package ${pkg}`);
  return join(entry.slice(0, at + marker.length), file);
}

/** The browser libraries the pages use, served from `node_modules` (never a CDN). */
const VENDOR: Record<string, () => string> = {
  'htmx.min.js': () => packageFile('htmx.org', 'dist/htmx.min.js'),
  'htmx-sse.min.js': () => packageFile('htmx-ext-sse', 'dist/sse.min.js'),
  'chart.umd.min.js': () => packageFile('chart.js', 'dist/chart.umd.min.js'),
};

const HERE = dirname(fileURLToPath(import.meta.url));

export interface AssetSet {
  /** `/assets/<prefix>/<name>.js` built from a TypeScript entry file. */
  scripts?: Record<string, string>;
  /** `/assets/<prefix>/<name>.css` read from a file. */
  styles?: Record<string, string>;
}

/**
 * `/assets/vendor/*` (the libraries above), `/assets/web/base.css`, and a part's own
 * scripts and styles under `/assets/<prefix>/`. Files are read once and kept; an asset
 * changes only with a new version of the service, so browsers may keep it an hour.
 */
export function assetRoutes(prefix: string, set: AssetSet = {}): Router {
  const router = Router();
  const cache = new Map<string, string>();
  const read = (path: string) => {
    let text = cache.get(path);
    if (text === undefined) cache.set(path, (text = readFileSync(path, 'utf8')));
    return text;
  };
  const headers = { 'Cache-Control': 'public, max-age=3600' };
  router.get('/assets/vendor/:file', (req, res, next) => {
    const locate = Object.hasOwn(VENDOR, req.params.file) ? VENDOR[req.params.file] : undefined;
    if (!locate) return next();
    res.set(headers).type('js').send(read(locate()));
  });
  router.get('/assets/web/base.css', (_req, res) => {
    res
      .set(headers)
      .type('css')
      .send(read(join(HERE, 'styles', 'base.css')));
  });
  for (const [name, file] of Object.entries(set.styles ?? {}))
    router.get(`/assets/${prefix}/${name}.css`, (_req, res) => {
      res.set(headers).type('css').send(read(file));
    });
  for (const [name, entry] of Object.entries(set.scripts ?? {})) {
    const bundle = createBundle(entry);
    router.get(`/assets/${prefix}/${name}.js`, async (_req, res) => {
      res
        .set(headers)
        .type('js')
        .send(await bundle());
    });
  }
  return router;
}
