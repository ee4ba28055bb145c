// One build for every bundle: the extension host (CommonJS, Node 20, `vscode` external),
// the `runreel` CLI, and one browser bundle per webview panel.
//   node esbuild.mjs                 development build with source maps
//   node esbuild.mjs --production    minified, no source maps (what the VSIX ships)
//   node esbuild.mjs --watch
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { inlineWorker } from './scripts/lib/inlineWorker.mjs';
import { wasmModules } from './scripts/lib/wasm.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** One entry per webview panel: webview/<name>/main.ts -> dist/webview/<name>.js */
export const WEBVIEWS = ['runOverview', 'animation', 'embeddings', 'evalAudio', 'liveAudio', 'episodes', 'inspector', 'latents', 'media', 'scalars'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  define: { __RUNREEL_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
  plugins: [wasmModules()],
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ffmpeg-static is optional and found at run time when installed; never bundled.
    external: ['vscode', 'ffmpeg-static'],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['ffmpeg-static'],
  },
  {
    // Worker threads (GIF encoding, reading event files), loaded by the host and the CLI from their own folder.
    ...common,
    entryPoints: { gifWorker: 'src/domain/animation/gifWorker.ts', scalarsWorker: 'src/domain/tensorboard/scalarsWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: Object.fromEntries(WEBVIEWS.map((name) => [name, `webview/${name}/main.ts`])),
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    plugins: [inlineWorker({ minify: production }), wasmModules()],
  },
];

mkdirSync('dist/webview', { recursive: true });
copyFileSync('node_modules/uplot/dist/uPlot.min.css', 'dist/webview/uplot.css');

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('[esbuild] watching…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`[esbuild] built ${builds.length} bundle groups (${production ? 'production' : 'development'})`);
}
