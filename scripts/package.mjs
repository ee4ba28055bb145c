#!/usr/bin/env node
// Builds the production bundles and packages the VSIX with vsce, offline.
// Then checks what went in: bundles and media only, no sources, tests or maps.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
export const vsixPath = join(root, 'out', `${name}-${version}.vsix`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  }
  return r.stdout;
}

mkdirSync(join(root, 'out'), { recursive: true });
run(process.execPath, ['esbuild.mjs', '--production']);
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
// Bundled: no node_modules to ship. vsce rewrites the README's relative links (screenshots, which
// stay out of the VSIX) to the repository's raw files, so the Marketplace page shows them.
run(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsixPath]);

const files = run(process.execPath, [vsce, 'ls', '--no-dependencies']).split('\n').map((l) => l.trim()).filter(Boolean);
const forbidden = files.filter((f) => /\.(ts|map|py|mjs)$/.test(f) || /^(src|test|webview|scripts|node_modules)\//.test(f));
if (forbidden.length > 0) throw new Error(`VSIX would ship files it must not: ${forbidden.join(', ')}`);
const walkthroughMedia = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes.walkthroughs
  .flatMap((w) => w.steps.flatMap((st) => (typeof st.media.image === 'string' ? [st.media.image] : Object.values(st.media.image))));
for (const required of [...new Set(walkthroughMedia), 'dist/extension.js', 'dist/cli.js', 'dist/gifWorker.js', 'dist/scalarsWorker.js', 'dist/webview/scalars.js', 'dist/webview/runOverview.js', 'dist/webview/animation.js', 'media/webview.css', 'package.json']) {
  if (!files.includes(required)) throw new Error(`VSIX is missing ${required}`);
}
const size = statSync(vsixPath).size;
console.log(`packaged ${vsixPath} (${(size / 1024).toFixed(1)} KiB, ${files.length} files)`);
