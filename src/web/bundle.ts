import { build } from 'esbuild';

/**
 * A browser script built from TypeScript sources with esbuild, in memory, the first time
 * it is asked for (then kept): no build step before `npm start`, nothing written to disk,
 * and the browser receives one ES module with its imports inlined.
 */
export function createBundle(entry: string): () => Promise<string> {
  let built: Promise<string> | undefined;
  return () => {
    built ??= build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text);
    built.catch(() => {
      built = undefined;
    });
    return built;
  };
}
