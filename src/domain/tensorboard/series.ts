// What the Scalars panel draws from a series, computed on every point: TensorBoard's debiased
// exponential moving average (its scalars plugin, not on a sample), and a min/max-per-pixel
// decimation so a million-point series draws as a few thousand points with every spike kept.
// Import-free: the host, the CLI and the panel share it.

export interface ScalarSeries {
  tag: string;
  steps: Float64Array;
  values: Float64Array;
  /** Seconds since the epoch; NaN where the source has none (metrics.csv). */
  wallTimes: Float64Array;
  /** Indices where the step went below the one before: a restarted job. */
  restarts: number[];
}

/** What TensorBoard shows for a series: one point per step, the last written, by step. */
export function tensorboardView(s: ScalarSeries): ScalarSeries {
  if (s.restarts.length === 0 && isStrictlyIncreasing(s.steps)) return s;
  const last = new Map<number, number>();
  for (let i = 0; i < s.steps.length; i++) last.set(s.steps[i], i);
  const order = [...last.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const pick = (c: Float64Array) => Float64Array.from(order, (i) => c[i]);
  return { tag: s.tag, steps: pick(s.steps), values: pick(s.values), wallTimes: pick(s.wallTimes), restarts: [] };
}

function isStrictlyIncreasing(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] <= a[i - 1]) return false;
  return true;
}

/**
 * Debiased EMA with smoothing `weight` in [0, 1): last = last·w + (1 − w)·v, shown as
 * last / (1 − w^n) over the n finite values so far. Non-finite values pass through unsmoothed.
 */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out = new Float64Array(values.length);
  // w^n kept as a running product (Math.pow per point was most of the cost), and 0 once it is
  // negligible: denormal numbers are slow.
  let last = 0, wn = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { out[i] = v; continue; }
    last = last * w + (1 - w) * v;
    wn = wn < 1e-300 ? 0 : wn * w;
    out[i] = w === 0 ? v : last / (1 - wn);
  }
  return out;
}

/**
 * The points to draw for x in [x0, x1] on `columns` pixel columns: per column the first, the
 * minimum, the maximum and the last point (in x order), so lines and spikes look as with
 * every point. `xs` must be non-decreasing. Returns indices into the series.
 */
export function decimateMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, columns: number): Uint32Array {
  const n = xs.length;
  const cols = Math.max(1, Math.floor(columns));
  // Binary search for the first point at or after x0, and one before it to reach the edge.
  let lo = 0, hi = n;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid] < x0) lo = mid + 1; else hi = mid; }
  const start = Math.max(0, lo - 1);
  if (n - start <= cols * 4) {
    let end = start;
    while (end < n && (end === start || xs[end - 1] <= x1)) end++;
    return Uint32Array.from({ length: end - start }, (_, k) => start + k);
  }
  const out: number[] = [];
  const span = x1 - x0 || 1;
  let col = -1, first = -1, min = -1, max = -1, last = -1;
  const flush = () => {
    if (first < 0) return;
    const picks = [first, min, max, last].filter((v, k, a) => a.indexOf(v) === k).sort((a, b) => a - b);
    out.push(...picks);
  };
  for (let i = start; i < n; i++) {
    const c = Math.min(cols - 1, Math.max(0, Math.floor(((xs[i] - x0) / span) * cols)));
    if (c !== col) { flush(); col = c; first = min = max = last = i; }
    else {
      last = i;
      const y = ys[i];
      if (Number.isFinite(y)) {
        if (!(ys[min] <= y)) min = i;
        if (!(ys[max] >= y)) max = i;
      }
    }
    if (xs[i] > x1) break;
  }
  flush();
  return Uint32Array.from(out);
}
