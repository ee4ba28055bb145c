// Summary statistics and a histogram of one safetensors tensor, streamed from its byte range
// in fixed-size chunks: memory stays at one chunk whatever the tensor's size.
import { readTensorFloat32, type SafetensorsTensor } from '../artifacts/safetensors';
import type { ByteSource } from '../artifacts/source';
import type { HistogramData, TensorStatsData } from '../../protocol/tensors';

/** Elements converted per read: 1 Mi elements, at most 8 MB of file bytes. */
export const CHUNK_ELEMENTS = 1 << 20;
export const HISTOGRAM_BINS = 64;

/** Finite values only in min…std (null when there are none); population std (ddof=0, as numpy). */
export type TensorStats = TensorStatsData;
/** Bin edges: lo + i·(hi−lo)/bins. */
export type Histogram = HistogramData;

export interface StatsOptions {
  signal?: AbortSignal;
  /** 0…1 over both passes. */
  onProgress?: (fraction: number) => void;
  chunkElements?: number;
  bins?: number;
}

/** Calls `fn` with consecutive chunks of the tensor's elements as float32. */
async function forEachChunk(src: ByteSource, tensor: SafetensorsTensor, options: StatsOptions, fn: (values: Float32Array) => void, progress: (done: number) => void): Promise<void> {
  const chunk = options.chunkElements ?? CHUNK_ELEMENTS;
  for (let start = 0; start < tensor.count; start += chunk) {
    options.signal?.throwIfAborted();
    const values = await readTensorFloat32(src, tensor, start, Math.min(chunk, tensor.count - start));
    fn(values);
    progress(start + values.length);
  }
}

/**
 * Two streaming passes: moments (chunk means and sums of squares merged with Chan's formula,
 * so the std of values far from zero keeps its precision), then the histogram over the
 * finite range found by the first.
 */
export async function tensorStats(src: ByteSource, tensor: SafetensorsTensor, options: StatsOptions = {}): Promise<{ stats: TensorStats; histogram: Histogram }> {
  let n = 0, mean = 0, m2 = 0, min = Infinity, max = -Infinity, nan = 0, posInf = 0, negInf = 0, zeros = 0;
  const total = Math.max(1, tensor.count * 2);
  // Per-chunk work in locals: variables shared with the closure are slow to update per element.
  await forEachChunk(src, tensor, options, (v) => {
    let cn = 0, sum = 0, lo = Infinity, hi = -Infinity, cNan = 0, cPos = 0, cNeg = 0, cZero = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== x) { cNan++; continue; }
      if (x === Infinity) { cPos++; continue; }
      if (x === -Infinity) { cNeg++; continue; }
      if (x === 0) cZero++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      sum += x;
      cn++;
    }
    nan += cNan; posInf += cPos; negInf += cNeg; zeros += cZero;
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    if (cn === 0) return;
    const cmean = sum / cn;
    let cm2 = 0;
    for (let i = 0; i < v.length; i++) {
      const d = v[i] - cmean;
      if (d - d === 0) cm2 += d * d; // finite only
    }
    const delta = cmean - mean, all = n + cn;
    mean += (delta * cn) / all;
    m2 += cm2 + (delta * delta * n * cn) / all;
    n = all;
  }, (done) => options.onProgress?.(done / total));

  const bins = options.bins ?? HISTOGRAM_BINS;
  const counts = new Float64Array(bins);
  const lo = n > 0 ? min : 0, hi = n > 0 ? max : 0;
  if (n > 0) {
    if (lo === hi) counts[0] = n;
    else {
      const scale = bins / (hi - lo), last = bins - 1;
      await forEachChunk(src, tensor, options, (v) => {
        for (let i = 0; i < v.length; i++) {
          const k = Math.floor((v[i] - lo) * scale);
          // NaN and ±Inf fall outside 0…bins; the maximum itself lands on bins and joins the last bin.
          if (k >= 0 && k <= bins) counts[k < last ? k : last]++;
        }
      }, (done) => options.onProgress?.((tensor.count + done) / total));
    }
  }
  options.onProgress?.(1);
  return {
    stats: {
      count: tensor.count,
      min: n > 0 ? min : null,
      max: n > 0 ? max : null,
      mean: n > 0 ? mean : null,
      std: n > 0 ? Math.sqrt(m2 / n) : null,
      nan, posInf, negInf, zeros,
    },
    histogram: { lo, hi, counts: Array.from(counts) },
  };
}
