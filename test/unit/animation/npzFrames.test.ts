import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createAnimation } from '../../../src/domain/animation/animate';
import { findFrames } from '../../../src/domain/animation/frames';
import { renderNpzFrames } from '../../../src/domain/animation/npzFrames';
import { applyAlignment, procrustes2d } from '../../../src/domain/animation/procrustes';
import { withNpz } from '../../../src/domain/artifacts/npz';
import { readPng } from '../../../src/domain/artifacts/png';
import { FIXTURE_WORKSPACE, tempDir } from '../helpers';
import { decodeGif } from './gifDecode';

const SNAPS = join(FIXTURE_WORKSPACE, 'lightning_logs', 'version_0', 'viz_snapshots');

function transform(points: Float32Array, theta: number, flip: boolean, dx: number, dy: number): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i], y = flip ? -points[i + 1] : points[i + 1];
    out[i] = x * Math.cos(theta) - y * Math.sin(theta) + dx;
    out[i + 1] = x * Math.sin(theta) + y * Math.cos(theta) + dy;
  }
  return out;
}

describe('orthogonal Procrustes', () => {
  const base = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 5 + (i % 7));
  test.each([[0.7, false], [2.9, true], [-1.2, true], [0, false]])('undoes a rotation of %f rad (reflected: %s) and a shift', (theta, flip) => {
    const moved = transform(base, theta, flip, 3, -8);
    const a = procrustes2d(moved, base, base.length / 2);
    expect(a.reflection).toBe(flip);
    const back = applyAlignment(moved, a);
    for (let i = 0; i < base.length; i++) expect(back[i]).toBeCloseTo(base[i], 3);
  });
});

async function projections(file: string, space: string): Promise<Float32Array> {
  return withNpz(file, async (npz) => Float32Array.from((await npz.read(`${space}_projections_2d`)).data.values as Float32Array));
}

function meanStep(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 2) s += Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1]);
  return s / (a.length / 2);
}

test('aligned steps move far less than the raw refits (the producer rotates/flips each step)', async () => {
  const raw = [await projections(join(SNAPS, 'viz_step_50_embeddings.npz'), 'latent'), await projections(join(SNAPS, 'viz_step_100_embeddings.npz'), 'latent')];
  const aligned = applyAlignment(raw[1], procrustes2d(raw[1], raw[0], raw[0].length / 2));
  expect(meanStep(aligned, raw[0])).toBeLessThan(meanStep(raw[1], raw[0]) / 2);
});

test('npz-only snapshots render to frames: one panel per space, coloured by label, then a GIF', async () => {
  const dir = tempDir();
  for (const s of [50, 100, 150]) copyFileSync(join(SNAPS, `viz_step_${s}_embeddings.npz`), join(dir, `viz_step_${s}_embeddings.npz`));
  const set = await findFrames(dir);
  expect(set.source).toBe('npz');
  const out = tempDir();
  const r = await renderNpzFrames(set.frames, out, { colorBy: 'label', width: 900, height: 300 });
  expect(r.warnings).toEqual([]);
  expect(r.frames.map((f) => f.step)).toEqual([50, 100, 150]);
  const img = await readPng(r.frames[2].path);
  expect([img.width, img.height]).toEqual([900, 300]);
  // Points in several label colours in each of the three panels.
  for (let panel = 0; panel < 3; panel++) {
    const colours = new Set<string>();
    for (let y = 50; y < 270; y++) for (let x = panel * 300 + 31; x < (panel + 1) * 300 - 21; x++) {
      const i = (y * 900 + x) * 4;
      const c = `${img.data[i]},${img.data[i + 1]},${img.data[i + 2]}`;
      if (c !== '255,255,255') colours.add(c);
    }
    expect(colours.size).toBeGreaterThanOrEqual(4);
  }
  const anim = await createAnimation(dir, { webm: false, workers: 0 });
  expect(anim.source).toBe('npz');
  expect(decodeGif(readFileSync(anim.gif!.path)).frames).toHaveLength(3);
});
