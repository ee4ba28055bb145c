import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import { createAnimation } from '../../../src/domain/animation/animate';
import { findFrames, gifTiming, webmFps } from '../../../src/domain/animation/frames';
import { readPng } from '../../../src/domain/artifacts/png';
import { tempDir } from '../helpers';
import { decodeGif, psnr } from './gifDecode';
import { movingSquare, writeFrames } from './helpers';
import { wasmModules } from '../../../scripts/lib/wasm.mjs';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
let workerScript = '';

beforeAll(async () => {
  // The worker as it ships: bundled from source.
  const dir = tempDir('runreel-worker-');
  workerScript = join(dir, 'gifWorker.js');
  await esbuild.build({ entryPoints: [join(__dirname, '../../../src/domain/animation/gifWorker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', plugins: [wasmModules()] });
});

describe('frames', () => {
  test('viz_step PNGs sorted by step number, outputs and viz_latest excluded', async () => {
    const dir = tempDir();
    writeFrames(dir, [950, 1000, 50, 100]);
    for (const n of ['viz_latest_pacmap.png', 'pacmap_evolution.gif', 'viz_step_50_embeddings.npz', 'viz_step_50_pacmap.html']) writeFileSync(join(dir, n), 'x');
    const set = await findFrames(dir);
    expect([set.source, set.frames.map((f) => f.step)]).toEqual(['images', [50, 100, 950, 1000]]);
  });

  test('a run folder means its viz_snapshots; a step-numbered series when there are no viz frames; npz otherwise', async () => {
    const run = tempDir();
    writeFrames(join(run, 'viz_snapshots'), [1, 2]);
    expect((await findFrames(run)).dir).toBe(join(run, 'viz_snapshots'));
    const series = tempDir();
    writeFrames(series, [10, 2, 1], movingSquare, (s) => `frame_${s}.png`);
    expect((await findFrames(series)).frames.map((f) => f.step)).toEqual([1, 2, 10]);
    const npz = tempDir();
    writeFileSync(join(npz, 'viz_step_5_embeddings.npz'), 'x');
    expect((await findFrames(npz)).source).toBe('npz');
  });

  test.each([
    [2, 2000, 6000], [10, 1500, 4500], [30, 500, 1500], [60, 500, 1500], [100, 300, 900], [400, 100, 300],
  ])('timing for %i frames: %i ms each, last %i ms (15–30 s total, 100–2000 ms each)', (n, each, last) => {
    expect(gifTiming(n)).toEqual({ frameMs: each, lastMs: last });
  });

  test('webm rate follows the seed: 1 to 10 fps', () => {
    expect([webmFps(2), webmFps(30), webmFps(300)]).toEqual([1, 2, 10]);
  });
});

describe('GIF', () => {
  test('frames, delays, loop and pixels read back from the written GIF', async () => {
    const dir = tempDir();
    writeFrames(dir, [0, 50, 100, 150]);
    const r = await createAnimation(dir, { webm: false, label: false, workerScript, workers: 2 });
    expect(r.gif!.path).toBe(join(dir, 'pacmap_evolution.gif'));
    const gif = decodeGif(readFileSync(r.gif!.path));
    expect([gif.width, gif.height, gif.loop, gif.frames.length]).toEqual([120, 60, 0, 4]);
    const { frameMs, lastMs } = gifTiming(4);
    expect(gif.frames.map((f) => f.delayMs)).toEqual([frameMs, frameMs, frameMs, lastMs]);
    for (let k = 0; k < 4; k++) expect(psnr(gif.frames[k].rgba, movingSquare(k).data)).toBeGreaterThan(35);
    // Unchanged pixels are transparent in later frames, yet composite to the right image.
    expect(readFileSync(r.gif!.path).length).toBeLessThan(4 * 120 * 60);
  });

  test('worker threads and the in-thread path write the same bytes', async () => {
    const a = tempDir(), b = tempDir();
    writeFrames(a, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    writeFrames(b, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ra = await createAnimation(a, { webm: false, workerScript, workers: 2 });
    const rb = await createAnimation(b, { webm: false, workers: 0 });
    expect(Buffer.compare(readFileSync(ra.gif!.path), readFileSync(rb.gif!.path))).toBe(0);
  });

  test('a step label is drawn on each frame', async () => {
    const dir = tempDir();
    writeFrames(dir, [7, 8]);
    const r = await createAnimation(dir, { webm: false, workers: 0 });
    const gif = decodeGif(readFileSync(r.gif!.path));
    // "step 7" at scale 1 in the bottom-right corner: 6 glyphs on a 38×9 plate.
    let ink = 0;
    for (let y = 60 - 13; y < 60 - 4; y++) for (let x = 120 - 42; x < 120 - 4; x++) if (gif.frames[0].rgba[(y * 120 + x) * 4] < 100) ink++;
    expect(ink).toBeGreaterThan(30);
  });

  test('frames of different sizes are fitted to the first frame\'s canvas without distortion', async () => {
    const dir = tempDir();
    writeFrames(dir, [1], () => movingSquare(0, 120, 60));
    // Frame 2 is square and solid green: it must be letterboxed, not stretched.
    writeFrames(dir, [2], () => { const r = movingSquare(0, 60, 60); r.data.fill(0); for (let i = 0; i < r.data.length; i += 4) { r.data[i + 1] = 200; r.data[i + 3] = 255; } return r; });
    const gif = decodeGif(readFileSync((await createAnimation(dir, { webm: false, label: false, workers: 0 })).gif!.path));
    const px = (x: number, y: number) => Array.from(gif.frames[1].rgba.subarray((y * 120 + x) * 4, (y * 120 + x) * 4 + 3));
    expect(px(5, 30)).toEqual([255, 255, 255]); // letterbox
    expect(px(60, 30)[1]).toBeGreaterThan(180); // the green frame, centred
    expect(px(114, 30)).toEqual([255, 255, 255]);
  });

  test('fewer than two frames: a clear error and nothing written', async () => {
    const dir = tempDir();
    writeFrames(dir, [1]);
    await expect(createAnimation(dir, { workers: 0 })).rejects.toMatchObject({ code: 'too_few_frames', message: expect.stringContaining('found 1 frame; an animation needs at least 2') });
    expect(readdirSync(dir)).toEqual(['viz_step_1_pacmap.png']);
  });

  test('a broken frame fails the run, keeps the previous animation and leaves no temporary file', async () => {
    const dir = tempDir();
    writeFrames(dir, [1, 2, 3]);
    writeFileSync(join(dir, 'pacmap_evolution.gif'), 'previous animation');
    writeFileSync(join(dir, 'viz_step_2_pacmap.png'), 'not a png');
    await expect(createAnimation(dir, { webm: false, workers: 0 })).rejects.toMatchObject({ name: 'ArtifactError', message: expect.stringContaining('viz_step_2_pacmap.png') });
    expect(readFileSync(join(dir, 'pacmap_evolution.gif'), 'utf8')).toBe('previous animation');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('cancel stops the work and writes nothing', async () => {
    const dir = tempDir();
    writeFrames(dir, Array.from({ length: 40 }, (_, i) => i));
    const ac = new AbortController();
    const run = createAnimation(dir, { webm: false, workerScript, workers: 2, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(readdirSync(dir).filter((n) => !n.startsWith('viz_step_'))).toEqual([]);
  });

  test('an output folder that cannot be written: a clear error', async () => {
    const dir = tempDir();
    writeFrames(dir, [1, 2]);
    const out = process.getuid?.() === 0 ? '/proc' : (() => { const d = tempDir(); chmodSync(d, 0o500); return d; })();
    await expect(createAnimation(dir, { outDir: out, webm: false, workers: 0 })).rejects.toMatchObject({ code: 'unwritable', message: expect.stringContaining(`cannot write to ${out}`) });
  });
});

describe.runIf(hasFfmpeg)('WebM', () => {
  test('VP9 with every frame and the last held, decoded back close to the source', async () => {
    const dir = tempDir();
    writeFrames(dir, [0, 1, 2, 3]);
    const r = await createAnimation(dir, { gif: false, label: false, fps: 4, workerScript, workers: 2 });
    expect(r.ffmpeg?.source).toBe('PATH');
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', r.webm!.path], { encoding: 'utf8' }));
    const v = probe.streams[0];
    expect([v.codec_name, v.width, v.height, Number(v.nb_read_frames)]).toEqual(['vp9', 120, 60, 6]);
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', r.webm!.path, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-frames:v', '2', 'pipe:1']);
    expect(psnr(new Uint8Array(raw.subarray(120 * 60 * 4, 2 * 120 * 60 * 4)), movingSquare(1).data)).toBeGreaterThan(28);
  });

  test('hostile folder names never reach ffmpeg: quotes, a leading dash, a newline', async () => {
    const dir = join(tempDir(), '-rf "it\'s"\nnext');
    writeFrames(dir, [1, 2]);
    const r = await createAnimation(dir, { workers: 0 });
    expect(existsSync(r.gif!.path) && existsSync(r.webm!.path)).toBe(true);
  });

  test('missing ffmpeg: the GIF is still made, the WebM skipped with what to install', async () => {
    const dir = tempDir();
    writeFrames(dir, [1, 2]);
    const r = await createAnimation(dir, { ffmpegPath: '/nonexistent/ffmpeg', workers: 0 });
    expect(existsSync(r.gif!.path)).toBe(true);
    expect(r.webm).toBeUndefined();
    expect(r.warnings).toEqual([expect.stringMatching(/^WebM skipped: ffmpeg not found at \/nonexistent\/ffmpeg .*apt-get install ffmpeg/)]);
  });

  test('ffmpeg that fails: an error with its exit, the previous WebM kept', async () => {
    const dir = tempDir();
    writeFrames(dir, [1, 2]);
    writeFileSync(join(dir, 'pacmap_evolution.webm'), 'previous');
    const fake = join(tempDir(), 'ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho "Unknown encoder libvpx-vp9" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    await expect(createAnimation(dir, { gif: false, ffmpegPath: fake, workers: 0 })).rejects.toMatchObject({ code: 'ffmpeg_failed', message: expect.stringContaining('exit 1') });
    expect(readFileSync(join(dir, 'pacmap_evolution.webm'), 'utf8')).toBe('previous');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('ffmpeg that hangs is killed at the timeout, with its children', async () => {
    const dir = tempDir();
    writeFrames(dir, [1, 2]);
    const marker = join(tempDir(), 'child.pid');
    const fake = join(tempDir(), 'ffmpeg');
    writeFileSync(fake, `#!/bin/sh\nsleep 300 &\necho $! > ${marker}\nwait\n`);
    chmodSync(fake, 0o755);
    const started = Date.now();
    await expect(createAnimation(dir, { gif: false, ffmpegPath: fake, workers: 0, timeoutMs: 1500 })).rejects.toMatchObject({ code: 'ffmpeg_timeout' });
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(readFileSync(marker, 'utf8'));
    // The grandchild is gone too: no process, or a zombie awaiting reaping (killed).
    const state = () => { try { return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0]; } catch { return 'gone'; } };
    await expect.poll(state, { timeout: 3000 }).toMatch(/^(gone|Z|X)$/);
  });
});

test('a real snapshot PNG decodes at its size (the producer writes 1800×500 and 3600×1000)', async () => {
  const png = join(__dirname, '../../fixtures/workspace/lightning_logs/version_0/viz_snapshots/viz_step_50_pacmap.png');
  const img = await readPng(png);
  expect([img.width, img.height]).toEqual([360, 100]);
});
