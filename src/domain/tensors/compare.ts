// Two latents of one shape side by side: per step (a row of the plane: a time step of a
// [batch, T, D] latent) the cosine similarity and L2 distance of their channel vectors, and
// the difference A − B as a heatmap. Both files are streamed row by row in lockstep.
import { ArtifactError } from '../artifacts/errors';
import type { SafetensorsTensor } from '../artifacts/safetensors';
import type { ByteSource } from '../artifacts/source';
import { BlockMean, planeRows, resolveWindow, type Plane, type PlaneWindow } from './plane';

/** Steps reported one by one up to this; longer planes are reported in blocks. */
export const MAX_STEPS = 16384;

export interface TensorComparison {
  /** Per reported step: first row of its block (blocks are 1 row unless rows > MAX_STEPS). */
  steps: number[];
  /** Cosine similarity of A's and B's row vectors (NaN where either is all zero). */
  cosine: number[];
  /** Euclidean distance between the row vectors. */
  l2: number[];
  /** Over the whole plane. */
  overall: { cosine: number; l2: number; maxAbsDiff: number; meanAbsDiff: number };
  /** A − B, block-averaged like readPlane. */
  diff: Plane;
}

export interface Operand {
  src: ByteSource;
  tensor: SafetensorsTensor;
}

export async function compareTensors(a: Operand, b: Operand, window: PlaneWindow, signal?: AbortSignal): Promise<TensorComparison> {
  const sa = a.tensor.shape, sb = b.tensor.shape;
  if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
    throw new ArtifactError('inconsistent', `${a.src.name} and ${b.src.name}`, `shapes differ: [${sa.join(', ')}] and [${sb.join(', ')}]; only latents of the same shape can be compared`);
  }
  const { base, ...win } = resolveWindow(a.src, a.tensor, window);
  const rows = win.r1 - win.r0, width = win.c1 - win.c0;
  const stepBlock = Math.ceil(rows / MAX_STEPS);
  const nSteps = Math.ceil(rows / stepBlock);
  const dot = new Float64Array(nSteps), na = new Float64Array(nSteps), nb = new Float64Array(nSteps), d2 = new Float64Array(nSteps);
  const acc = new BlockMean(win.outRows, win.outCols, win.rowStep, win.colStep);
  const diff = new Float32Array(width);
  let absSum = 0, absMax = 0, absCount = 0;
  const rowsA = planeRows(a.src, a.tensor, { ...win, base }, signal);
  const rowsB = planeRows(b.src, b.tensor, { ...win, base }, signal);
  for (;;) {
    const [ra, rb] = [await rowsA.next(), await rowsB.next()];
    if (ra.done || rb.done) break;
    const [r, va] = ra.value, vb = rb.value[1];
    const k = Math.floor((r - win.r0) / stepBlock);
    let sDot = 0, sA = 0, sB = 0, sD = 0;
    for (let c = 0; c < width; c++) {
      const x = va[c], y = vb[c], d = x - y;
      diff[c] = d;
      if (d - d !== 0) continue; // NaN or Inf on either side
      sDot += x * y; sA += x * x; sB += y * y; sD += d * d;
      const ad = Math.abs(d);
      absSum += ad; absCount++;
      if (ad > absMax) absMax = ad;
    }
    dot[k] += sDot; na[k] += sA; nb[k] += sB; d2[k] += sD;
    acc.add(r - win.r0, diff);
  }
  const cos = (i: number) => (na[i] > 0 && nb[i] > 0 ? dot[i] / Math.sqrt(na[i] * nb[i]) : NaN);
  const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
  const all = { dot: sum(dot), na: sum(na), nb: sum(nb), d2: sum(d2) };
  return {
    steps: Array.from({ length: nSteps }, (_, i) => win.r0 + i * stepBlock),
    cosine: Array.from({ length: nSteps }, (_, i) => cos(i)),
    l2: Array.from(d2, (v) => Math.sqrt(v)),
    overall: {
      cosine: all.na > 0 && all.nb > 0 ? all.dot / Math.sqrt(all.na * all.nb) : NaN,
      l2: Math.sqrt(all.d2),
      maxAbsDiff: absMax,
      meanAbsDiff: absCount ? absSum / absCount : 0,
    },
    diff: { ...win, ...acc.result() },
  };
}
