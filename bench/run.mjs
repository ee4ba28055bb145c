#!/usr/bin/env node
// `npm run bench`: each measurement against the baseline its issue names, side by side in
// one run, printed as a table with ratios. Inputs are generated once into the cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { cacheDir } from '../scripts/lib/e2eEnv.mjs';
import { findProducerPython } from '../scripts/lib/python.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'out', 'bench');
const data = join(cacheDir(), 'bench');
mkdirSync(out, { recursive: true });
mkdirSync(data, { recursive: true });
const REPEATS = Number(process.env.RUNREEL_BENCH_REPEATS ?? 5);
const python = findProducerPython();
const rows = [];

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function bundle(name) {
  const file = join(out, `${name}.cjs`);
  await esbuild.build({ entryPoints: [join(root, 'bench', `${name}.ts`)], outfile: file, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  return file;
}

// ---- issue 3: loading a large npz, against numpy.load
{
  const npz = join(data, 'snapshot_3x20000x768.npz');
  if (!python) {
    rows.push(['npz load (3 × 20k × 768 + metadata)', 'skipped: needs python3 with numpy to write the file and time numpy.load', '', '', '']);
  } else {
    if (!existsSync(npz)) {
      console.error('[bench] writing the benchmark npz (once)…');
      const r = spawnSync(python, [join(root, 'bench', 'make_npz.py'), npz], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(1);
    }
    const ours = runJson(process.execPath, [await bundle('npzLoad'), npz, String(REPEATS)]);
    const numpy = runJson(python, [join(root, 'bench', 'numpy_load.py'), npz, String(REPEATS)]);
    const mb = (statSync(npz).size / 1048576).toFixed(0);
    rows.push([`npz load (3 × 20k × 768 f32 + JSON metadata, ${mb} MB)`, `${ours.median_ms.toFixed(0)} ms`, `numpy.load ${numpy.median_ms.toFixed(0)} ms`,
      `${(numpy.median_ms / ours.median_ms).toFixed(2)}×`, 'target ≥ 1.00× (no slower than numpy)']);
  }
}

// ---- issue 4: discovery and watching on a 50,000-file tree (targets from the issue)
{
  const tree = join(data, 'tree_50k');
  const script = await bundle('runsScan');
  if (!existsSync(join(tree, '.complete'))) {
    console.error('[bench] writing the 50,000-file tree (once)…');
    runJson(process.execPath, [script, 'make', tree]);
    spawnSync('touch', [join(tree, '.complete')]);
  }
  const scans = Array.from({ length: REPEATS }, () => runJson(process.execPath, [script, 'scan', tree]));
  const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const scanMs = med(scans.map((s) => s.total_ms));
  const scanMb = Math.max(...scans.map((s) => s.max_rss_mb));
  rows.push([`initial scan, 50,000 files (${scans[0].runs} runs, summarised)`, `${scanMs.toFixed(0)} ms`, '', `${(2000 / scanMs).toFixed(1)}× under`, 'target < 2000 ms']);
  rows.push(['  peak memory of that scan (max RSS)', `${scanMb.toFixed(0)} MB`, '', `${(200 / scanMb).toFixed(1)}× under`, 'target < 200 MB']);
  const w = runJson(process.execPath, [script, 'watch', tree]);
  rows.push(['watch: 200 files written in a burst', `${w.received}/200 events, ${w.lost} lost`, '', '', 'target: none lost']);
  rows.push(['  delay file → subscriber, median / max', `${w.median_ms.toFixed(0)} / ${w.max_ms.toFixed(0)} ms`, '', `${(1000 / w.max_ms).toFixed(1)}× under`, 'target max < 1000 ms']);
  rows.push(['  watcher start on the tree; its peak memory', `${w.watch_ready_ms.toFixed(0)} ms; ${w.max_rss_mb.toFixed(0)} MB`, '', '', '']);
}

const header = ['measurement', 'Run Reel', 'baseline', 'speed-up', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const r of rows) console.log(line(r));
console.log(`\n(median of ${REPEATS} runs after one warm-up; ${process.platform}, ${process.arch}, node ${process.version})`);
