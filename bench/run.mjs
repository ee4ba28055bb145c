#!/usr/bin/env node
// `npm run bench`: each measurement against the baseline its issue names, side by side in
// one run, printed as a table with ratios. Inputs are generated once into the cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { cacheDir, findChromium } from '../scripts/lib/e2eEnv.mjs';
import { findProducerPython } from '../scripts/lib/python.mjs';
import { wasmModules } from '../scripts/lib/wasm.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'out', 'bench');
const data = join(cacheDir(), 'bench');
mkdirSync(out, { recursive: true });
mkdirSync(data, { recursive: true });
const REPEATS = Number(process.env.RUNREEL_BENCH_REPEATS ?? 5);
const python = findProducerPython();
const rows = [];
// RUNREEL_BENCH_ONLY=npz|scan|animation|webview|audio|live|episodes|inspector|scalars runs one part (the table still prints).
const only = process.env.RUNREEL_BENCH_ONLY;
const part = (name) => !only || only === name;

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function bundle(name, options = {}) {
  const file = join(out, `${name}.cjs`);
  await esbuild.build({ entryPoints: [join(root, 'bench', `${name}.ts`)], outfile: file, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', plugins: [wasmModules()], ...options });
  return file;
}

// ---- issue 3: loading a large npz, against numpy.load
if (part('npz')) {
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
if (part('scan')) {
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

// ---- issue 5: GIF and WebM timelines of 100 frames, three ways (baselines from the issue)
if (!part('animation')) {
  // not asked for
} else if (python && spawnSync('ffmpeg', ['-version']).status === 0) {
  const script = await bundle('animation');
  const worker = join(out, 'gifWorker.js');
  await esbuild.build({ entryPoints: [join(root, 'src/domain/animation/gifWorker.ts')], outfile: worker, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', plugins: [wasmModules()] });
  const timed = (cmd, args) => {
    const t = Date.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    return { ms: Date.now() - t, max_rss_mb: Number(r.stderr.trim().split('\n').pop()) / 1024 };
  };
  for (const [w, h] of [[1800, 500], [3600, 1000]]) {
    const frames = join(data, `frames_${w}x${h}`);
    if (!existsSync(join(frames, 'viz_step_4950_pacmap.png'))) {
      console.error(`[bench] drawing 100 frames of ${w}×${h} (once)…`);
      spawnSync(python, [join(root, 'bench', 'make_frames.py'), frames, String(w), String(h)], { stdio: 'inherit' });
    }
    const outDir = join(out, `anim_${w}x${h}`);
    mkdirSync(outDir, { recursive: true });
    const ours = runJson(process.execPath, [script, 'gif', frames, outDir, worker]);
    const oursPsnr = runJson(process.execPath, [script, 'psnr', frames, ours.path]).psnr_db;
    const pillowGif = join(outDir, 'pillow.gif');
    const pillow = runJson(python, [join(root, 'bench', 'pillow_gif.py'), frames, pillowGif]);
    const pillowPsnr = runJson(process.execPath, [script, 'psnr', frames, pillowGif]).psnr_db;
    // ffmpeg's own best GIF path: a palette from all frames, then paletteuse (its default
    // dithering), over the same frames in step order.
    const ordered = readdirSync(frames).filter((n) => n.endsWith('.png')).sort((a, b) => Number(/\d+/.exec(a)[0]) - Number(/\d+/.exec(b)[0]));
    const gifList = join(outDir, 'gif_list.txt');
    writeFileSync(gifList, ordered.map((f) => `file '${join(frames, f)}'\nduration 0.3\n`).join(''));
    const ffGif = join(outDir, 'ffmpeg.gif');
    const ff = timed('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', gifList, '-filter_complex', '[0:v]split[a][b];[a]palettegen[p];[b][p]paletteuse', ffGif]);
    const ffPsnr = runJson(process.execPath, [script, 'psnr', frames, ffGif]).psnr_db;
    const mb = (p) => `${(statSync(p).size / 1048576).toFixed(1)} MB`;
    rows.push([`GIF, 100 frames ${w}×${h}: Run Reel`, `${ours.ms.toFixed(0)} ms, ${ours.max_rss_mb.toFixed(0)} MB peak, ${mb(ours.path)}, ${oursPsnr.toFixed(1)} dB`, '', '', '']);
    rows.push([`  vs the seed's Pillow code`, '', `${pillow.ms.toFixed(0)} ms, ${pillow.max_rss_mb.toFixed(0)} MB peak, ${mb(pillowGif)}, ${pillowPsnr.toFixed(1)} dB`,
      `${(pillow.ms / ours.ms).toFixed(1)}× faster, ${(pillow.max_rss_mb / ours.max_rss_mb).toFixed(1)}× less memory, ${(oursPsnr - pillowPsnr).toFixed(1)} dB better`, 'target ≥ 5× faster, ≤ 1/3 memory, ≥ +3 dB']);
    rows.push([`  vs ffmpeg palettegen/paletteuse`, '', `${ff.ms.toFixed(0)} ms, ${ff.max_rss_mb.toFixed(0)} MB peak, ${mb(ffGif)}, ${ffPsnr.toFixed(1)} dB`, `${(ff.ms / ours.ms).toFixed(1)}× faster`, 'target ≥ 2× faster']);
    // Memory flat in the number of frames: the same frames three times over (300 steps).
    const longRun = join(data, `frames_${w}x${h}_x3`);
    if (!existsSync(longRun)) {
      mkdirSync(longRun);
      ordered.forEach((f, i) => { for (let r = 0; r < 3; r++) symlinkSync(join(frames, f), join(longRun, `viz_step_${(r * ordered.length + i) * 50}_pacmap.png`)); });
    }
    mkdirSync(join(outDir, 'x3'), { recursive: true });
    const long = runJson(process.execPath, [script, 'gif', longRun, join(outDir, 'x3'), worker]);
    rows.push([`  the same frames 3× over (300 frames)`, `${long.ms.toFixed(0)} ms, ${long.max_rss_mb.toFixed(0)} MB peak`, '', `${(long.max_rss_mb / ours.max_rss_mb).toFixed(2)}× the memory of 100`, 'flat in the number of frames']);
    // WebM: ours against the seed's command (concat list, VP9 at 2 Mb/s, default speed).
    const oursWebm = runJson(process.execPath, [script, 'webm', frames, outDir, worker]);
    const oursWebmPsnr = runJson(process.execPath, [script, 'psnr', frames, oursWebm.path]).psnr_db;
    const list = join(outDir, 'seed_list.txt');
    const files = readdirSync(frames).filter((n) => n.endsWith('.png')).sort((a, b) => Number(/\d+/.exec(a)[0]) - Number(/\d+/.exec(b)[0]));
    const fps = Math.max(1, Math.min(10, Math.floor(files.length / 15)));
    writeFileSync(list, files.map((f) => `file '${join(frames, f)}'\nduration ${(1 / fps).toFixed(4)}\n`).join('') + `file '${join(frames, files[files.length - 1])}'\nduration ${(3 / fps).toFixed(4)}\n`);
    const seedWebm = join(outDir, 'seed.webm');
    const seed = timed('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c:v', 'libvpx-vp9', '-b:v', '2M', '-pix_fmt', 'yuva420p', '-an', seedWebm]);
    const seedPsnr = runJson(process.execPath, [script, 'psnr', frames, seedWebm]).psnr_db;
    rows.push([`WebM, 100 frames ${w}×${h}: Run Reel`, `${oursWebm.ms.toFixed(0)} ms, ${mb(oursWebm.path)}, ${oursWebmPsnr.toFixed(1)} dB`, `seed's ffmpeg ${seed.ms.toFixed(0)} ms, ${mb(seedWebm)}, ${seedPsnr.toFixed(1)} dB`,
      `${(seed.ms / oursWebm.ms).toFixed(1)}× faster, ${(oursWebmPsnr - seedPsnr).toFixed(1)} dB`, 'target ≥ 4× faster, within 1 dB']);
  }
} else {
  rows.push(['animation (GIF/WebM)', 'skipped: needs python3 with numpy and Pillow, and ffmpeg', '', '', '']);
}

// ---- issues 6 and 21: stepping the Embedding Timeline in headless Chromium, beside Plotly and the bare-WebGL floor
if (!part('webview')) {
  // not asked for
} else if (findChromium()) {
  const script = await bundle('embeddingsRedraw', { packages: 'external' });
  for (const points of [100_000, 1_000_000]) {
    const r = runJson(process.execPath, [script, String(points), points > 100_000 ? 'no-plotly' : 'plotly']);
    const k = points >= 1e6 ? `${points / 1e6} M` : `${points / 1000}k`;
    const floor = r.bare_webgl_frame_median_ms;
    rows.push([`timeline step, 3 × ${k} points: message → draw issued (main thread)`, `${r.issued_median_ms.toFixed(1)} ms (max ${r.issued_max_ms.toFixed(0)})`, r.plotly_issued_median_ms ? `Plotly scattergl, same points: ${r.plotly_issued_median_ms.toFixed(0)} ms` : '',
      r.plotly_issued_median_ms ? `${(r.plotly_issued_median_ms / r.issued_median_ms).toFixed(0)}× less than Plotly` : '', points > 100_000 ? 'GL upload included (see below)' : 'target < 20 ms']);
    const chunks = r.draw_chunks > 1 ? `, drawn in ${r.draw_chunks} chunks` : '';
    rows.push([`  → every point on screen (${r.renderer}${chunks})`, `${r.frame_median_ms.toFixed(0)} ms (max ${r.frame_max_ms.toFixed(0)})`, `bare WebGL, the same ${3 * points / 1000}k points, 1 draw: ${floor.toFixed(0)} ms${r.plotly_frame_median_ms ? `; Plotly ${r.plotly_frame_median_ms.toFixed(0)} ms` : ''}`,
      `${(r.frame_median_ms / floor).toFixed(2)}× the floor`, points > 100_000 ? 'target ≤ 1.5× the floor' : 'target ≤ 1.25× the floor']);
    rows.push([`  longest main-thread task (stepping, hover, lasso)`, r.longest_task_ms ? `${r.longest_task_ms.toFixed(0)} ms` : 'none over 50 ms', `hover ${r.hover_ms.toFixed(0)} ms a move, lasso ${r.lasso_ms.toFixed(0)} ms (with Playwright's input)`, '', 'target ≤ 200 ms']);
    if (points > 100_000 && !r.hardware) {
      // Software GL: the page waits on the GPU process rasterising every point. The same run
      // with draw calls skipped is the page's own work, uploads included.
      const own = runJson(process.execPath, [script, String(points), 'no-plotly', 'no-draw']);
      rows.push([`  the same with draw calls skipped (the page's own work)`, own.longest_task_ms ? `longest task ${own.longest_task_ms.toFixed(0)} ms` : 'no task over 50 ms', `message → uploaded ${own.issued_median_ms.toFixed(0)} ms; hover ${own.hover_ms.toFixed(0)} ms a move`, `${(200 / Math.max(1, own.longest_task_ms)).toFixed(1)}× under`, 'target ≤ 200 ms']);
    }
  }
} else {
  rows.push(['timeline step redraw', 'skipped: needs Chromium (apt install chromium)', '', '', '']);
}

// ---- issue 7: STFT throughput against fft.js (baseline and budget from the issue)
if (part('audio')) {
  const r = runJson(process.execPath, [await bundle('stft')]);
  rows.push(['STFT: 2048-point Hann window → dB levels', `${r.ours_us.toFixed(1)} µs/window`, `fft.js + Math.log10 ${r.fftjs_us.toFixed(1)} µs`,
    `${(r.fftjs_us / r.ours_us).toFixed(2)}× faster; ${(16000 / r.ours_us).toFixed(0)}× under the seed's 16 ms`, 'aim 1000× under 16 ms']);
  rows.push(['  the 2048-point real FFT alone', `${r.ours_fft_us.toFixed(1)} µs`, `fft.js realTransform ${r.fftjs_fft_us.toFixed(1)} µs`, `${(r.fftjs_fft_us / r.ours_fft_us).toFixed(2)}×`, '']);
}

// ---- issue 7: the live panel's CPU (target from the issue) and the seed's stress case
if (part('live')) {
  if (!python || !findChromium()) {
    rows.push(['live audio panel CPU', 'skipped: needs python3 with numpy (the writer) and Chromium', '', '', '']);
  } else {
    const script = await bundle('liveAudio', { packages: 'external' });
    await bundle('liveAudioHost', { packages: 'external' });
    const live = runJson(process.execPath, [script, '48000', '8', '8', '10']);
    const total = live.host_core + live.page_core;
    rows.push([`live audio, 8 ch × 48 kHz, read at 60 Hz: CPU (host + webview; ${live.renderer})`, `${(total * 100).toFixed(1)}% of a core`, `bare page, same canvases and frames: ${(live.floor_core * 100).toFixed(1)}%`,
      `${live.ratio.toFixed(2)}× the floor`, 'target ≤ 1.15× the floor (absolute, with a GPU: < 25%)']);
    rows.push(['  host + webview', `host ${(live.host_core * 100).toFixed(1)}% + webview ${(live.page_core * 100).toFixed(1)}%`, `floor scrolled by copy ${(live.floor_copy_core * 100).toFixed(1)}%, by transform ${(live.floor_transform_core * 100).toFixed(1)}%, drawn in a worker (OffscreenCanvas) ${(live.floor_offscreen_core * 100).toFixed(1)}%`, '', '']);
    rows.push(['  host alone', `${(live.host_core * 100).toFixed(1)}% of a core`, `a bare Node process reading the same samples at the same rate: ${(live.host_floor_core * 100).toFixed(1)}%`, `${(live.host_core / live.host_floor_core).toFixed(2)}× its floor`, '']);
    const pct = (v) => `${((v ?? 0) * 100).toFixed(0)}%`;
    const t = live.page_threads;
    rows.push(['  webview by thread', `main ${pct(t.chromium ?? t.CrRendererMain)}, worker ${pct(t.DedicatedWorker)}`, `compositor ${pct(t.Compositor)}, raster ${pct(t.ThreadPoolForeg)}`, '', '']);
    rows.push(['  frames shown / dropped', `${live.page_frames} / ${live.page_dropped}`, `host read ${live.host_read_median_ms.toFixed(2)} ms median; floor shown ${live.floor_frames}`, '', '']);
    const stress = runJson(process.execPath, [script, '192000', '64', '64', '10']);
    rows.push(['stress, 64 ch × 192 kHz, 64 lanes: samples lost / longest task', `${stress.lost_samples} lost, ${stress.longest_task_ms.toFixed(0)} ms`, `CPU host ${(stress.host_core * 100).toFixed(0)}% + webview ${(stress.page_core * 100).toFixed(0)}%; read ${stress.host_read_median_ms.toFixed(1)} ms; floor ${(stress.floor_core * 100).toFixed(0)}%`,
      `${stress.page_dropped} of ${stress.page_frames + stress.page_dropped} frames dropped`, 'target: none lost, no task > 50 ms']);
  }
}

// ---- issue 8: opening and stepping a 2,000-step, 30×30 episode (targets from the issue)
if (part('episodes')) {
  if (!python || !findChromium()) {
    rows.push(['episode replay', 'skipped: needs python3 with numpy (the producer) and Chromium', '', '', '']);
  } else {
    const run = join(data, 'episodes_2000x30x30');
    if (!existsSync(join(run, '.complete'))) {
      console.error('[bench] writing three 2,000-step episode logs (once, ~1 GB)…');
      const r = spawnSync(python, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(join(root, 'scripts', 'producers'))})
import runreel_producers as P
from pathlib import Path
run = Path(${JSON.stringify(run)})
P.write_episode(run, 0, steps=2000, size=(30, 30), images=None, state_format="jaxarc", gzipped=True)
P.write_episode(run, 1, steps=2000, size=(30, 30), images=None, state_format="jaxarc")
P.write_episode(run, 2, steps=2000, size=(30, 30), images=None)`], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(1);
      writeFileSync(join(run, '.complete'), '');
    }
    const eps = ['episode_0000', 'episode_0001', 'episode_0002'];
    const r = runJson(process.execPath, [await bundle('episodes', { packages: 'external' }), run, ...eps]);
    const labels = { episode_0000: "JaxARC layout, gzipped (the logger's default)", episode_0001: 'JaxARC layout, plain JSON', episode_0002: 'compact {"grid"} layout' };
    for (const ep of eps) {
      const m = r[ep];
      const file = join(run, ep, readdirSync(join(run, ep)).find((n) => n.startsWith('episode_')));
      const py = runJson(python, [join(root, 'bench', 'python_episode_load.py'), file, '1']);
      const size = `${(m.bytes / 1048576).toFixed(0)} MB`;
      rows.push([`episode 2,000 steps × 30×30, ${labels[ep]} (${size}): first step shown`, `${m.first_ms.toFixed(0)} ms`, `seed's load_episode (json.load) ${py.median_ms.toFixed(0)} ms, ${py.max_rss_mb.toFixed(0)} MB`,
        `${(py.median_ms / m.first_ms).toFixed(0)}× sooner`, 'target open < 1000 ms']);
      rows.push([`  whole log indexed (chart complete); peak memory`, `${m.indexed_ms.toFixed(0)} ms; ${m.peak_rss_mb.toFixed(0)} MB RSS`, '', `${(py.median_ms / m.indexed_ms).toFixed(1)}× faster`, '']);
      rows.push([`  step change (request → step posted), median / max of 200`, `${m.step_median_ms.toFixed(1)} / ${m.step_max_ms.toFixed(1)} ms`, '', `${(16.7 / m.step_max_ms).toFixed(1)}× under a frame`, 'no dropped frames: < 16.7 ms']);
    }
    rows.push(['  webview: draw a step (before, after, target 30×30), median / max of 200', `${r.webview.median.toFixed(1)} / ${r.webview.max.toFixed(1)} ms`, '', `${(16.7 / r.webview.max).toFixed(1)}× under a frame`, 'no dropped frames: < 16.7 ms']);
  }
}

// ---- issue 9: the Safetensors Inspector on a ~2 GB checkpoint, against the numpy script way
if (part('inspector')) {
  if (!python) {
    rows.push(['safetensors inspector', 'skipped: needs python3 with numpy to write the checkpoint and time the script way', '', '', '']);
  } else {
    const ckpt = join(data, 'checkpoint_2gb.safetensors');
    if (!existsSync(ckpt)) {
      console.error('[bench] writing a 2 GB checkpoint (once)…');
      const r = spawnSync(python, [join(root, 'bench', 'make_checkpoint.py'), ckpt], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(1);
    }
    const big = 'model.embed_tokens.weight', bf16 = 'model.layers.0.w0.weight';
    const script = await bundle('inspector');
    const ours = runJson(process.execPath, [script, ckpt, big, bf16]);
    const npBig = runJson(python, [join(root, 'bench', 'numpy_tensor_stats.py'), ckpt, big]);
    const npBf16 = runJson(python, [join(root, 'bench', 'numpy_tensor_stats.py'), ckpt, bf16]);
    const gb = (statSync(ckpt).size / 2 ** 30).toFixed(1);
    rows.push([`safetensors ${gb} GB, ${ours.tensors} tensors: open (header shown)`, `${ours.open_ms.toFixed(0)} ms`, `json header parse ${npBig.header_ms.toFixed(0)} ms`, '', 'target < 1000 ms']);
    rows.push([`  stats + histogram, F32 [32000, 1024] (131 MB)`, `${ours.big_stats_ms.toFixed(0)} ms`, `numpy memmap ${npBig.stats_ms.toFixed(0)} ms, ${npBig.max_rss_mb.toFixed(0)} MB`, `${(npBig.stats_ms / ours.big_stats_ms).toFixed(2)}×`, '']);
    rows.push([`  stats + histogram, BF16 [4096, 2048] (16 MB)`, `${ours.bf16_stats_ms.toFixed(0)} ms`, `numpy memmap ${npBf16.stats_ms.toFixed(0)} ms, ${npBf16.max_rss_mb.toFixed(0)} MB`, `${(npBf16.stats_ms / ours.bf16_stats_ms).toFixed(2)}×`, '']);
    rows.push([`  heatmap of all of F32 [32000, 1024] as 512 × 1024 block means`, `${ours.plane_ms.toFixed(0)} ms`, '', '', '']);
    rows.push([`  peak memory (process RSS; at start)`, `${ours.peak_rss_mb.toFixed(0)} MB (${ours.start_rss_mb.toFixed(0)} MB)`, `numpy ${npBig.max_rss_mb.toFixed(0)} MB`, `${(npBig.max_rss_mb / ours.peak_rss_mb).toFixed(1)}× less`, 'bounded: not the tensor size']);
  }
}

// ---- issue 20: every scalar of a SummaryWriter logdir, against TensorBoard's Python loader
if (part('scalars')) {
  // The issue's logdir is 20 runs × 50 tags × 20,000 steps plus a 1 M-step run (21 M points);
  // RUNREEL_BENCH_SCALAR_STEPS scales it (default 2,000 steps: 2.1 M points, written in ~1 min).
  const steps = Number(process.env.RUNREEL_BENCH_SCALAR_STEPS ?? 2000);
  const logdir = join(data, `scalars_20x50x${steps}`);
  const withTb = (py) => spawnSync(py, ['-c', 'import torch, tensorboard'], { stdio: 'ignore' }).status === 0;
  let tbPython = [process.env.RUNREEL_PYTHON, 'python3', 'python'].filter(Boolean).find(withTb);
  if (!tbPython) {
    console.error('[bench] installing tensorboard and torch from the local package index (python3 -m pip install --retries 0 tensorboard torch)…');
    spawnSync('python3', ['-m', 'pip', 'install', '--retries', '0', 'tensorboard', 'torch'], { stdio: 'inherit' });
    tbPython = withTb('python3') ? 'python3' : undefined;
  }
  if (!tbPython) {
    rows.push(['scalars load', 'skipped: needs a python3 with torch and tensorboard (pip install torch tensorboard could not install them)', '', '', '']);
  } else {
    if (!existsSync(join(logdir, '.complete'))) {
      console.error(`[bench] writing the scalars logdir with SummaryWriter (once): 20 runs × 50 tags × ${steps} steps + a ${steps * 50}-step run…`);
      const r = spawnSync(tbPython, [join(root, 'bench', 'make_scalars.py'), logdir, '20', '50', String(steps), String(steps * 50)], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(1);
    }
    const script = await bundle('scalarsLoad');
    const worker = join(out, 'scalarsWorker.js');
    await esbuild.build({ entryPoints: [join(root, 'src', 'domain', 'tensorboard', 'scalarsWorker.ts')], outfile: worker, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
    const ours = Array.from({ length: Math.min(REPEATS, 3) }, () => runJson(process.execPath, [script, logdir, worker])).sort((a, b) => a.ms - b.ms)[1] ?? runJson(process.execPath, [script, logdir, worker]);
    const tb = runJson(tbPython, [join(root, 'bench', 'tb_event_accumulator.py'), logdir]);
    // The Rust data server, timed until it has loaded and then served every series.
    const rust = (mode) => { try { return runJson(tbPython, [join(root, 'bench', 'tb_rust_server.py'), logdir, mode, ours.max_steps_file]); } catch (err) { return { error: String(err).split('\n')[0] }; } };
    const rustAll = rust('all'), rustSampled = rust('sampled');
    const sizeMb = readdirSync(logdir, { recursive: true }).map((f) => join(logdir, String(f))).filter((f) => statSync(f).isFile()).reduce((n, f) => n + statSync(f).size, 0) / 1048576;
    const rustText = (r) => (r.error ? `failed: ${r.error}` : `${r.ms.toFixed(0)} ms, ${r.max_rss_mb.toFixed(0)} MB (${r.points.toLocaleString()} points)`);
    rows.push([`scalars: every point of ${ours.runs} runs (${ours.points.toLocaleString()} points, ${sizeMb.toFixed(0)} MB)`, `${ours.ms.toFixed(0)} ms`, `Rust data server keep-all ${rustText(rustAll)}`, rustAll.error ? '' : `${(rustAll.ms / ours.ms).toFixed(1)}×`, 'target ≥ 1.5×']);
    rows.push(['  against the Rust server sampled (1000 points a series)', '', `${rustText(rustSampled)}`, rustSampled.error ? '' : `${(rustSampled.ms / ours.ms).toFixed(1)}×`, 'target ≥ 1.0×']);
    rows.push(['  against the Python loader keeping every point', '', `EventMultiplexer ${tb.ms.toFixed(0)} ms, ${tb.max_rss_mb.toFixed(0)} MB (${tb.points.toLocaleString()} points)`, `${(tb.ms / ours.ms).toFixed(1)}×`, '']);
    rows.push(['  peak memory (max RSS)', `${ours.peak_rss_mb.toFixed(0)} MB`, rustAll.error ? '' : `Rust keep-all ${rustAll.max_rss_mb.toFixed(0)} MB`, rustAll.error ? '' : `${(rustAll.max_rss_mb / ours.peak_rss_mb).toFixed(1)}× less`, 'target ≤ 1 GB and ≤ ⅓ of Rust keep-all']);
    if (findChromium()) {
      const paint = runJson(process.execPath, [await bundle('scalarsPaint', { packages: 'external' }), '20', '12', '20000']);
      rows.push([`  panel first paint, 20 runs × 12 cards × 20,000 points (${paint.cards_in_view} cards in view)`, `${paint.first_paint_ms.toFixed(0)} ms`, `longest main-thread task ${paint.longest_task_ms.toFixed(0)} ms`, `${(1000 / paint.first_paint_ms).toFixed(2)}× under`, 'target < 1000 ms']);
    }
    rows.push([`  one record appended to a ${ours.file_mb.toFixed(0)} MB file: read`, `${ours.append_ms.toFixed(1)} ms (${ours.appended} point)`, '', `${(ours.ms / ours.append_ms).toFixed(0)}× less than the full load`, 'target seen < 1000 ms, work ∝ new bytes']);
  }
}

const header = ['measurement', 'Run Reel', 'baseline', 'speed-up', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const r of rows) console.log(line(r));
console.log(`\n(median of ${REPEATS} runs after one warm-up; ${process.platform}, ${process.arch}, node ${process.version})`);
