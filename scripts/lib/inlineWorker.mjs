// esbuild plugin: `import source from './worker.ts?worker'` gives that file bundled on its
// own as a string. Used by esbuild.mjs and by the webview test harness.
import * as esbuild from 'esbuild';
import { resolve } from 'node:path';

export function inlineWorker({ minify = false } = {}) {
  return {
    name: 'inline-worker',
    setup(build) {
      build.onResolve({ filter: /\?worker$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/\?worker$/, '')), namespace: 'inline-worker' }));
      build.onLoad({ filter: /.*/, namespace: 'inline-worker' }, async (args) => {
        const result = await esbuild.build({ entryPoints: [args.path], bundle: true, write: false, format: 'iife', target: 'es2022', minify, metafile: true, logLevel: 'warning', legalComments: 'none' });
        return {
          contents: `export default ${JSON.stringify(result.outputFiles[0].text)};`,
          loader: 'js',
          watchFiles: Object.keys(result.metafile.inputs).map((f) => resolve(f)),
        };
      });
    },
  };
}
