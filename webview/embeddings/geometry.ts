// The scatter's CPU side, pure (no DOM): axis ticks, the view of a space, a grid index for
// hover, lasso hit tests, density bins and transition starts. Unit-tested in Node; each is one
// pass over the points in typed arrays, so 1,000,000 points stay well under a frame budget.

export interface Range { x: [number, number]; y: [number, number] }

/** The finite extent of the points, padded by 5 % (Plotly's autorange look); a unit box when none. */
export function extentOf(x: Float32Array, y: Float32Array): Range {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const a = x[i], b = y[i];
    if (Number.isFinite(a) && Number.isFinite(b)) {
      if (a < x0) x0 = a; if (a > x1) x1 = a;
      if (b < y0) y0 = b; if (b > y1) y1 = b;
    }
  }
  if (!(x0 <= x1)) return { x: [-1, 1], y: [-1, 1] };
  return { x: pad(x0, x1), y: pad(y0, y1) };
}

function pad(lo: number, hi: number): [number, number] {
  const span = hi - lo || Math.abs(lo) || 1;
  return [lo - span * 0.05, hi + span * 0.05];
}

/** About `count` round tick values over [lo, hi] (1, 2 or 5 times a power of ten apart), two at least. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10].map((m) => m * power);
  let at = steps.findIndex((s) => s >= raw);
  if (at < 0) at = steps.length - 1;
  // The first round step at least `raw` can leave one tick or none (a span of 18 asked for 3
  // got a step of 10: one tick at 0 under a plot); take smaller ones until two fit.
  for (; ; at--) {
    const step = steps[at];
    const out: number[] = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    if (out.length >= 2 || at === 0) return out;
  }
}

/** A tick's text: few digits, no float noise. */
export function tickText(v: number, step: number): string {
  const digits = Math.max(0, Math.min(8, -Math.floor(Math.log10(step || 1))));
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-4 && v !== 0) ? v.toExponential(1) : v.toFixed(digits);
}

/** Zooms `r` by `factor` (< 1 zooms in) about the data point (cx, cy). */
export function zoomRange(r: Range, cx: number, cy: number, factor: number): Range {
  const z = ([lo, hi]: [number, number], c: number): [number, number] => [c - (c - lo) * factor, c + (hi - c) * factor];
  return { x: z(r.x, cx), y: z(r.y, cy) };
}

/**
 * Points bucketed on a uniform grid over their extent, by one counting pass: `order` lists
 * point indices cell by cell, `starts[c]..starts[c + 1]` those of cell c.
 */
export class GridIndex {
  readonly order: Uint32Array;
  readonly starts: Uint32Array;
  private readonly x0: number;
  private readonly y0: number;
  private readonly sx: number;
  private readonly sy: number;

  constructor(private readonly x: Float32Array, private readonly y: Float32Array, readonly size = 256) {
    const r = extentOf(x, y);
    this.x0 = r.x[0];
    this.y0 = r.y[0];
    this.sx = size / (r.x[1] - r.x[0]);
    this.sy = size / (r.y[1] - r.y[0]);
    const cells = new Uint32Array(x.length);
    const counts = new Uint32Array(size * size + 1);
    let kept = 0;
    for (let i = 0; i < x.length; i++) {
      const c = this.cell(x[i], y[i]);
      cells[i] = c;
      if (c !== NONE) { counts[c + 1]++; kept++; }
    }
    for (let c = 0; c < size * size; c++) counts[c + 1] += counts[c];
    this.starts = counts;
    const order = new Uint32Array(kept);
    const fill = counts.slice(0, size * size);
    for (let i = 0; i < x.length; i++) if (cells[i] !== NONE) order[fill[cells[i]]++] = i;
    this.order = order;
  }

  private cell(a: number, b: number): number {
    const cx = Math.floor((a - this.x0) * this.sx), cy = Math.floor((b - this.y0) * this.sy);
    if (!(cx >= 0 && cx < this.size && cy >= 0 && cy < this.size)) return NONE;
    return cy * this.size + cx;
  }

  /**
   * The point nearest (px, py) in screen units, within `radius` of them, where data → screen
   * scales by (kx, ky) per unit; -1 when none. `hidden(i)` skips points not drawn.
   */
  nearest(px: number, py: number, kx: number, ky: number, radius: number, hidden?: (i: number) => boolean): number {
    const rx = radius / Math.abs(kx), ry = radius / Math.abs(ky);
    const cx0 = Math.max(0, Math.floor((px - rx - this.x0) * this.sx)), cx1 = Math.min(this.size - 1, Math.floor((px + rx - this.x0) * this.sx));
    const cy0 = Math.max(0, Math.floor((py - ry - this.y0) * this.sy)), cy1 = Math.min(this.size - 1, Math.floor((py + ry - this.y0) * this.sy));
    let best = -1, bestD = radius * radius;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.size + cx;
        for (let k = this.starts[c]; k < this.starts[c + 1]; k++) {
          const i = this.order[k];
          const dx = (this.x[i] - px) * kx, dy = (this.y[i] - py) * ky, d = dx * dx + dy * dy;
          if (d <= bestD && !hidden?.(i)) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }
}
const NONE = 0xffffffff;

/** Indices of the points inside the polygon (x, y pairs, data units), by even-odd ray casting. */
export function pointsInPolygon(x: Float32Array, y: Float32Array, polygon: readonly number[]): number[] {
  const n = polygon.length / 2;
  if (n < 3) return [];
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let k = 0; k < n; k++) {
    x0 = Math.min(x0, polygon[2 * k]); x1 = Math.max(x1, polygon[2 * k]);
    y0 = Math.min(y0, polygon[2 * k + 1]); y1 = Math.max(y1, polygon[2 * k + 1]);
  }
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const px = x[i], py = y[i];
    if (!(px >= x0 && px <= x1 && py >= y0 && py <= y1)) continue;
    let inside = false;
    for (let a = 0, b = n - 1; a < n; b = a++) {
      const ay = polygon[2 * a + 1], by = polygon[2 * b + 1];
      if ((ay > py) !== (by > py)) {
        const ax = polygon[2 * a], bx = polygon[2 * b];
        if (px < ((bx - ax) * (py - ay)) / (by - ay) + ax) inside = !inside;
      }
    }
    if (inside) out.push(i);
  }
  return out;
}

/**
 * Point counts on a `width` × `height` grid over `range` (row 0 at the bottom), smoothed by two
 * [1, 2, 1] passes each way, as 1–255 on a log scale of the densest place (0: nothing there),
 * for a density texture. `skip(i)` leaves points out.
 */
export function densityBins(x: Float32Array, y: Float32Array, range: Range, width: number, height: number, skip?: (i: number) => boolean): Uint8Array {
  const counts = new Float32Array(width * height);
  const sx = width / (range.x[1] - range.x[0]), sy = height / (range.y[1] - range.y[0]);
  for (let i = 0; i < x.length; i++) {
    const cx = Math.floor((x[i] - range.x[0]) * sx), cy = Math.floor((y[i] - range.y[0]) * sy);
    if (!(cx >= 0 && cx < width && cy >= 0 && cy < height) || skip?.(i)) continue;
    counts[cy * width + cx]++;
  }
  const tmp = new Float32Array(width * height);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const at = r * width + c;
        tmp[at] = (2 * counts[at] + (c > 0 ? counts[at - 1] : 0) + (c < width - 1 ? counts[at + 1] : 0)) / 4;
      }
    }
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const at = r * width + c;
        counts[at] = (2 * tmp[at] + (r > 0 ? tmp[at - width] : 0) + (r < height - 1 ? tmp[at + width] : 0)) / 4;
      }
    }
  }
  let max = 0;
  for (let c = 0; c < counts.length; c++) if (counts[c] > max) max = counts[c];
  const out = new Uint8Array(width * height);
  // A place that holds less than a hundredth of a point after smoothing shows as empty.
  const floor = 0.01, scale = max > floor ? 254 / Math.log1p(max / floor) : 0;
  for (let c = 0; c < out.length; c++) out[c] = counts[c] < floor ? 0 : 1 + Math.round(Math.log1p(counts[c] / floor) * scale);
  return out;
}

/**
 * Where each point starts a transition: its position at the previous step, found by its row id
 * (`ids`, numbers the host keeps per row identity for the run); NaN for a row that step lacked.
 * Undefined when no row was there: nothing to animate. The lookup spans only the ids both steps
 * have in range (ids grow over a run: a table up to the largest would grow with it).
 */
export function transitionStarts(ids: Uint32Array, prev: { ids: Uint32Array; x: Float32Array; y: Float32Array }): { x: Float32Array; y: Float32Array } | undefined {
  // Most runs list the same rows in the same order every step: the starts are the last places.
  if (sameIds(ids, prev.ids)) return { x: prev.x, y: prev.y };
  const [prevLo, prevHi] = idRange(prev.ids), [lo0, hi0] = idRange(ids);
  const lo = Math.max(prevLo, lo0), hi = Math.min(prevHi, hi0);
  if (hi < lo) return undefined;
  const span = hi - lo + 1;
  // A dense range as a table; ids spread thinly over a wide one in a map.
  let at: (id: number) => number;
  if (span <= 4 * prev.ids.length + 1024) {
    const table = new Int32Array(span).fill(-1);
    for (let i = 0; i < prev.ids.length; i++) { const id = prev.ids[i]; if (id >= lo && id <= hi) table[id - lo] = i; }
    at = (id) => (id >= lo && id <= hi ? table[id - lo] : -1);
  } else {
    const map = new Map<number, number>();
    for (let i = 0; i < prev.ids.length; i++) { const id = prev.ids[i]; if (id >= lo && id <= hi) map.set(id, i); }
    at = (id) => map.get(id) ?? -1;
  }
  const x = new Float32Array(ids.length), y = new Float32Array(ids.length);
  let found = 0;
  for (let i = 0; i < ids.length; i++) {
    const j = at(ids[i]);
    if (j >= 0) { x[i] = prev.x[j]; y[i] = prev.y[j]; found++; } else { x[i] = NaN; y[i] = NaN; }
  }
  return found > 0 ? { x, y } : undefined;
}

/** The smallest and largest id ([Infinity, -1] for none). */
function idRange(ids: Uint32Array): [number, number] {
  let lo = Infinity, hi = -1;
  for (let i = 0; i < ids.length; i++) { const id = ids[i]; if (id < lo) lo = id; if (id > hi) hi = id; }
  return [lo, hi];
}

/**
 * A selection of row numbers at one step, as row numbers at another: each selected row is found
 * by its id (rows are listed in another order, or come and go, from step to step); rows the
 * other step lacks are left out.
 */
export function followRows(selected: readonly number[], from: Uint32Array, to: Uint32Array): number[] {
  if (sameIds(from, to)) return selected.filter((i) => i < from.length);
  // Only the selected rows' ids are looked for: a map of those, not of every row.
  const wanted = new Map<number, number>();
  for (const i of selected) if (i < from.length) wanted.set(from[i], -1);
  for (let j = 0; j < to.length; j++) if (wanted.get(to[j]) === -1) wanted.set(to[j], j);
  const out: number[] = [];
  for (const i of selected) {
    const j = i < from.length ? wanted.get(from[i])! : -1;
    if (j >= 0) out.push(j);
  }
  return out;
}

/** Whether two steps list the same row ids in the same order. */
function sameIds(a: Uint32Array, b: Uint32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
