// 2-D views of a tensor for heatmaps: the plane of its last two axes at chosen leading
// indices (for a latent [batch, T, D]: T × D of one batch item), a window of it, reduced to
// at most maxRows × maxCols by averaging blocks. Read row by row from the file, so a plane
// of any size costs one row of memory plus the output.
import { ArtifactError } from '../artifacts/errors';
import { readTensorFloat32, type SafetensorsTensor } from '../artifacts/safetensors';
import type { ByteSource } from '../artifacts/source';
import type { PlaneData, PlaneWindowData } from '../../protocol/tensors';

/** Columns converted per read when a row is very wide. */
const ROW_CHUNK = 1 << 20;
/** Output cells, whatever the request asks. */
export const MAX_PLANE_CELLS = 4 << 20;

export type PlaneLayout = PlaneData['layout'];

/** 0-D tensors have no plane; 1-D ones are one row. */
export function planeLayout(shape: readonly number[]): PlaneLayout | undefined {
  if (shape.length === 0) return undefined;
  if (shape.length === 1) return { lead: [], rows: 1, cols: shape[0] };
  return { lead: shape.slice(0, -2), rows: shape[shape.length - 2], cols: shape[shape.length - 1] };
}

/** What a request asks for and what it gets: the protocol's types, sent as they are. */
export type PlaneWindow = PlaneWindowData;
export type Plane = PlaneData;

function fail(src: ByteSource, tensor: SafetensorsTensor, why: string): never {
  throw new ArtifactError('inconsistent', src.name, `tensor ${JSON.stringify(tensor.name)}: ${why}`);
}

/** Checks the window against the tensor and fills in defaults. */
export function resolveWindow(src: ByteSource, tensor: SafetensorsTensor, w: PlaneWindow): Omit<Plane, 'values' | 'min' | 'max'> & { base: number } {
  const layout = planeLayout(tensor.shape) ?? fail(src, tensor, 'a scalar has no plane to show');
  // The window comes from a page: nothing in it is taken on trust.
  if (typeof w !== 'object' || w === null || !Array.isArray(w.lead)) fail(src, tensor, 'the window asked for has no list of leading indices');
  const size = (n: unknown) => typeof n === 'number' && n >= 1 && Number.isFinite(n);
  if (!size(w.maxRows) || !size(w.maxCols)) fail(src, tensor, `a window of at most ${String(w.maxRows)} × ${String(w.maxCols)} cells is not a size`);
  if (w.lead.length !== layout.lead.length) fail(src, tensor, `needs ${layout.lead.length} leading indices, got ${w.lead.length}`);
  let flat = 0;
  w.lead.forEach((i, k) => {
    if (!Number.isSafeInteger(i) || i < 0 || i >= layout.lead[k]) fail(src, tensor, `index ${i} is outside axis ${k} of size ${layout.lead[k]}`);
    flat = flat * layout.lead[k] + i;
  });
  const r0 = w.r0 ?? 0, r1 = w.r1 ?? layout.rows, c0 = w.c0 ?? 0, c1 = w.c1 ?? layout.cols;
  const ok = (a: number, b: number, n: number) => Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && a < b && b <= n;
  if (!ok(r0, r1, layout.rows) || !ok(c0, c1, layout.cols)) fail(src, tensor, `window rows ${r0}–${r1}, columns ${c0}–${c1} is not inside ${layout.rows} × ${layout.cols}`);
  const maxRows = Math.max(1, Math.floor(w.maxRows)), maxCols = Math.max(1, Math.floor(w.maxCols));
  let rowStep = Math.ceil((r1 - r0) / maxRows), colStep = Math.ceil((c1 - c0) / maxCols);
  // A request may not ask for more cells than the limit, whatever its max sizes say.
  while (Math.ceil((r1 - r0) / rowStep) * Math.ceil((c1 - c0) / colStep) > MAX_PLANE_CELLS) { rowStep *= 2; colStep *= 2; }
  return {
    layout, lead: [...w.lead], r0, r1, c0, c1, rowStep, colStep,
    outRows: Math.ceil((r1 - r0) / rowStep), outCols: Math.ceil((c1 - c0) / colStep),
    base: flat * layout.rows * layout.cols,
  };
}

/**
 * Rows r0…r1−1 of the window, columns c0…c1−1, as [row, values]. A yielded array is only
 * valid until the next one is asked for (wide rows reuse one buffer).
 */
export async function* planeRows(src: ByteSource, tensor: SafetensorsTensor, win: { base: number; r0: number; r1: number; c0: number; c1: number; layout: PlaneLayout }, signal?: AbortSignal): AsyncGenerator<[number, Float32Array]> {
  const width = win.c1 - win.c0;
  if (width === win.layout.cols && width <= ROW_CHUNK) {
    // Full-width rows are contiguous: read several per call.
    const batch = Math.max(1, Math.floor(ROW_CHUNK / width));
    for (let r = win.r0; r < win.r1; r += batch) {
      signal?.throwIfAborted();
      const n = Math.min(batch, win.r1 - r);
      const values = await readTensorFloat32(src, tensor, win.base + r * width, n * width);
      for (let k = 0; k < n; k++) yield [r + k, values.subarray(k * width, (k + 1) * width)];
    }
    return;
  }
  const row = width <= ROW_CHUNK ? undefined : new Float32Array(width);
  for (let r = win.r0; r < win.r1; r++) {
    signal?.throwIfAborted();
    const start = win.base + r * win.layout.cols + win.c0;
    if (!row) {
      yield [r, await readTensorFloat32(src, tensor, start, width)];
      continue;
    }
    for (let c = 0; c < width; c += ROW_CHUNK) row.set(await readTensorFloat32(src, tensor, start + c, Math.min(ROW_CHUNK, width - c)), c);
    yield [r, row];
  }
}

/** Block means, accumulated row by row into outRows × outCols cells. */
export class BlockMean {
  readonly sums: Float64Array;
  readonly counts: Uint32Array;
  constructor(readonly outRows: number, readonly outCols: number, readonly rowStep: number, readonly colStep: number) {
    this.sums = new Float64Array(outRows * outCols);
    this.counts = new Uint32Array(outRows * outCols);
  }

  /** Adds row `r` (relative to the window) of values. */
  add(r: number, values: ArrayLike<number>): void {
    const base = Math.floor(r / this.rowStep) * this.outCols;
    for (let c = 0; c < values.length; c++) {
      const x = values[c];
      if (x - x !== 0) continue; // NaN and ±Inf
      const k = base + Math.floor(c / this.colStep);
      this.sums[k] += x;
      this.counts[k]++;
    }
  }

  result(): { values: Float32Array; min: number; max: number } {
    const values = new Float32Array(this.sums.length);
    let min = Infinity, max = -Infinity;
    for (let k = 0; k < values.length; k++) {
      const v = this.counts[k] ? this.sums[k] / this.counts[k] : NaN;
      values[k] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return min <= max ? { values, min, max } : { values, min: 0, max: 0 };
  }
}

export async function readPlane(src: ByteSource, tensor: SafetensorsTensor, window: PlaneWindow, signal?: AbortSignal): Promise<Plane> {
  const { base, ...win } = resolveWindow(src, tensor, window);
  const acc = new BlockMean(win.outRows, win.outCols, win.rowStep, win.colStep);
  for await (const [r, v] of planeRows(src, tensor, { ...win, base }, signal)) acc.add(r - win.r0, v);
  return { ...win, ...acc.result() };
}
