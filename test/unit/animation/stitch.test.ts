import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { stitchFilter, stitchVideos, type ClipInfo } from '../../../src/domain/animation/stitch';
import { tempDir } from '../helpers';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
const LAYOUT_CLIPS = join(__dirname, '..', '..', 'fixtures', 'layouts', 'videos');

function clip(path: string, size: string, rate: number, seconds: number, audio: boolean): string {
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}:duration=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac');
  execFileSync('ffmpeg', [...args, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-shortest', path]);
  return path;
}

function probe(path: string) {
  const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' }));
  const v = j.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  return { width: v.width, height: v.height, rate: v.avg_frame_rate, audio: j.streams.some((s: { codec_type: string }) => s.codec_type === 'audio'), duration: Number(j.format.duration) };
}

const tools = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' };

test('the filter graph joins with concat, or chains xfade/acrossfade at the right offsets', () => {
  const c = (d: number, a = true): ClipInfo => ({ path: 'x', width: 64, height: 48, fps: 10, duration: d, hasAudio: a });
  expect(stitchFilter([c(2), c(3, false)], 64, 48, 10, 0)).toMatch(/anullsrc=r=48000:cl=stereo,atrim=0:3\.000\[a1\];\[v0\]\[a0\]\[v1\]\[a1\]concat=n=2:v=1:a=1\[v\]\[a\]$/);
  const xf = stitchFilter([c(2), c(3), c(4)], 64, 48, 10, 0.5);
  expect(xf).toContain('[v0][v1]xfade=transition=fade:duration=0.5:offset=1.500[xv1]');
  expect(xf).toContain('[xv1][v2]xfade=transition=fade:duration=0.5:offset=4.000[v]');
  expect(xf).toContain('[xa1][a2]acrossfade=d=0.5[a]');
});

describe.runIf(hasFfmpeg)('stitching with ffmpeg', () => {
  test('clips of different size, rate and audio become one, in order, at the first clip\'s size', async () => {
    const dir = tempDir();
    const clips = [clip(join(dir, 'a.mp4'), '160x120', 10, 1, true), clip(join(dir, 'b.mp4'), '320x180', 25, 1, false), clip(join(dir, 'c.mp4'), '100x100', 15, 1, true)];
    const out = join(dir, 'stitched.mp4');
    const fractions: number[] = [];
    const r = await stitchVideos(clips, out, { ...tools, onProgress: (f) => fractions.push(f) });
    expect([r.clips.length, r.width, r.height, r.fps, r.skipped]).toEqual([3, 160, 120, 10, []]);
    const p = probe(out);
    expect([p.width, p.height, p.rate, p.audio]).toEqual([160, 120, '10/1', true]);
    expect(p.duration).toBeGreaterThan(2.8);
    expect(p.duration).toBeLessThan(3.3);
    expect(fractions[fractions.length - 1]).toBe(1);
  });

  test('a crossfade shortens the result by the overlaps', async () => {
    const dir = tempDir();
    const clips = [clip(join(dir, 'a.mp4'), '160x120', 10, 2, true), clip(join(dir, 'b.mp4'), '160x120', 10, 2, true)];
    const r = await stitchVideos(clips, join(dir, 'x.mp4'), { ...tools, crossfade: 0.5 });
    expect(probe(r.out).duration).toBeGreaterThan(3.3);
    expect(probe(r.out).duration).toBeLessThan(3.8);
  });

  test('the producer-written fixture clips (mp4 and webm, no audio) stitch to WebM', async () => {
    const dir = tempDir();
    const r = await stitchVideos([join(LAYOUT_CLIPS, 'scene_1.mp4'), join(LAYOUT_CLIPS, 'scene_2.webm')], join(dir, 'out.webm'), tools);
    const p = probe(r.out);
    expect([p.width, p.height, p.audio]).toEqual([64, 48, true]);
    expect(p.duration).toBeGreaterThan(1.8);
  });

  test('a broken or missing clip is reported by name; skipped only when asked', async () => {
    const dir = tempDir();
    const good = clip(join(dir, 'good.mp4'), '160x120', 10, 1, false);
    const broken = join(dir, 'broken.mp4');
    writeFileSync(broken, 'not a video at all');
    const missing = join(dir, 'missing.mp4');
    await expect(stitchVideos([good, broken, missing], join(dir, 'o.mp4'), tools)).rejects.toMatchObject({
      code: 'ffmpeg_failed', message: expect.stringMatching(/^2 clips cannot be read: .*broken\.mp4 \(.+\); .*missing\.mp4 \(.+\)\. Skip them to stitch the rest\.$/),
    });
    expect(readdirSync(dir).sort()).toEqual(['broken.mp4', 'good.mp4']);
    const r = await stitchVideos([good, broken, missing, good], join(dir, 'o.mp4'), { ...tools, skipBroken: true });
    expect(r.skipped.map((s) => s.path)).toEqual([broken, missing]);
    expect(probe(r.out).duration).toBeGreaterThan(1.8);
  });

  test('cancel stops ffmpeg and keeps the previous output', async () => {
    const dir = tempDir();
    const clips = [clip(join(dir, 'a.mp4'), '640x360', 30, 6, true), clip(join(dir, 'b.mp4'), '640x360', 30, 6, true)];
    const out = join(dir, 'o.mp4');
    writeFileSync(out, 'previous');
    const ac = new AbortController();
    const run = stitchVideos(clips, out, { ...tools, signal: ac.signal, onProgress: (f) => { if (f > 0) ac.abort(); } });
    setTimeout(() => ac.abort(), 3000);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(require('node:fs').readFileSync(out, 'utf8')).toBe('previous');
  });

  test('hostile clip names (quotes, leading dash, newline) are only file names to ffmpeg', async () => {
    const dir = tempDir();
    const a = clip(join(dir, "-i 'x'\n.mp4"), '160x120', 10, 1, false);
    const b = clip(join(dir, 'pipe:0.mp4'), '160x120', 10, 1, false);
    const r = await stitchVideos([a, b], join(dir, '-out "y".mp4'), tools);
    expect(probe(r.out).duration).toBeGreaterThan(1.8);
  });
});

describe.runIf(hasFfmpeg)('ffprobe beside ffmpeg', () => {
  test('next to a bundled ffmpeg when it is there, else on PATH (ffmpeg-static ships none)', async () => {
    const { resolveFfprobe } = await import('../../../src/domain/animation/ffmpeg');
    const { chmodSync } = await import('node:fs');
    const dir = tempDir();
    const ffmpeg = join(dir, 'ffmpeg');
    writeFileSync(ffmpeg, '#!/bin/sh\n');
    chmodSync(ffmpeg, 0o755);
    expect(resolveFfprobe({ path: ffmpeg, source: 'ffmpeg-static' })).toEqual({ path: expect.stringMatching(/\/ffprobe$/), source: 'PATH' });
    const sibling = join(dir, 'ffprobe');
    writeFileSync(sibling, '#!/bin/sh\n');
    chmodSync(sibling, 0o755);
    expect(resolveFfprobe({ path: ffmpeg, source: 'ffmpeg-static' })).toEqual({ path: sibling, source: 'ffmpeg-static' });
    expect(() => resolveFfprobe({ path: ffmpeg, source: 'setting' }, join(tempDir(), 'ffmpeg'))).toThrow(/ffprobe not found at/);
  });
});
