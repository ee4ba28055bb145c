// The Scalars panel's data, without the DOM: every point each run sent (as written, growing
// in place), what a card draws from it (TensorBoard's view or all written, smoothing on every
// point, min/max decimation to the card's pixel columns, one x table for all runs), colours
// that stay with a run, y ranges of what is visible, the CSV export and the hparams table.
import type { HistogramSeries, HparamValue, MediaTagInfo, ScalarSeriesChunk, ScalarsXAxis, TextSeries } from '../../src/protocol/scalars';
import { csvField } from '../../src/domain/format';
import { debiasedEma, decimateMinMax, tensorboardView, type ScalarSeries } from '../../src/domain/tensorboard/series';

/** A growable column of doubles. */
class Grow {
  data: Float64Array = new Float64Array(256);
  length = 0;
  /** Writes `src` at `at` (appending; an overlap with what is held replaces it). */
  put(at: number, src: Float64Array): void {
    // The first chunk is kept as it came (no copy); a later one that does not fit reallocates.
    if (this.length === 0 && at === 0) { this.data = src; this.length = src.length; return; }
    const end = at + src.length;
    if (end > this.data.length) {
      const next = new Float64Array(Math.max(end, this.data.length * 2));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(src, at);
    this.length = Math.max(this.length, end);
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export class TagData {
  readonly steps = new Grow();
  readonly values = new Grow();
  readonly wall = new Grow();
  /** Bumped on every change: derived views are cached against it. */
  version = 0;
  private cache: { key: string; value: DisplaySegment[] } | undefined;
  constructor(readonly tag: string, public source: 'events' | 'csv') {}

  append(c: ScalarSeriesChunk): void {
    // Chunks come in order; one that would leave a gap is refused rather than misplaced.
    if (c.from > this.length) return;
    this.steps.put(c.from, c.steps);
    this.values.put(c.from, c.values);
    this.wall.put(c.from, c.wallTimes);
    this.version++;
  }

  get length(): number {
    return this.steps.length;
  }

  private restartsAt: { version: number; restarts: number[] } | undefined;

  written(): ScalarSeries {
    const steps = this.steps.view();
    if (this.restartsAt?.version !== this.version) {
      const restarts: number[] = [];
      for (let i = 1; i < steps.length; i++) if (steps[i] < steps[i - 1]) restarts.push(i);
      this.restartsAt = { version: this.version, restarts };
    }
    return { tag: this.tag, steps, values: this.values.view(), wallTimes: this.wall.view(), restarts: this.restartsAt.restarts };
  }

  /** Where a restarted job went back to: the step it resumed at, for each restart. */
  restartSteps(): number[] {
    const s = this.written();
    return s.restarts.map((i) => s.steps[i]);
  }

  /** The segments to draw (one, or one per restart when showing all written), smoothed, on axis `x`. */
  segments(o: SeriesOptions, drawable = true): DisplaySegment[] {
    const key = `${this.version}|${o.x}|${o.allWritten}|${o.smoothing}|${o.logX}`;
    if (this.cache?.key === key) return drawable ? this.cache.value.filter((seg) => seg.xs.length > 0) : this.cache.value;
    const s = this.written();
    const parts: ScalarSeries[] = [];
    if (o.allWritten && s.restarts.length) {
      const cuts = [0, ...s.restarts, s.steps.length];
      for (let k = 0; k + 1 < cuts.length; k++) {
        const [a, b] = [cuts[k], cuts[k + 1]];
        parts.push({ tag: s.tag, steps: s.steps.subarray(a, b), values: s.values.subarray(a, b), wallTimes: s.wallTimes.subarray(a, b), restarts: [] });
      }
    } else parts.push(o.allWritten ? s : tensorboardView(s));
    const t0 = firstFinite(s.wallTimes);
    const value = parts.map((p, k) => toSegment(p, k, o, t0));
    this.cache = { key, value };
    return drawable ? value.filter((seg) => seg.xs.length > 0) : value;
  }
}

export interface SeriesOptions {
  x: ScalarsXAxis;
  allWritten: boolean;
  smoothing: number;
  logX: boolean;
}

/** One line on a card: points sorted by x, raw and smoothed, with the step of each point. */
export interface DisplaySegment {
  /** 0 for the series, 1… for the parts after each restart (all written). */
  part: number;
  xs: Float64Array;
  ys: Float64Array;
  smooth: Float64Array;
  steps: Float64Array;
  /** Points left out: no wall time on a time axis, or x ≤ 0 on a log axis. */
  omitted: number;
}

function firstFinite(a: Float64Array): number {
  for (const v of a) if (Number.isFinite(v)) return v;
  return NaN;
}

function toSegment(s: ScalarSeries, part: number, o: SeriesOptions, t0: number): DisplaySegment {
  const n = s.steps.length;
  const x = o.x === 'step' ? s.steps : o.x === 'wall' ? s.wallTimes : s.wallTimes.map((w) => w - t0);
  // Smoothing runs over the series as it reads (all of its points), before any is left out.
  const smooth = debiasedEma(s.values, o.smoothing);
  let keep: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const ok = Number.isFinite(x[i]) && (!o.logX || x[i] > 0);
    if (!ok && !keep) keep = Array.from({ length: i }, (_, k) => k);
    else if (ok && keep) keep.push(i);
  }
  let order = keep ?? null;
  // Time axes: a writer's first records can carry earlier times than later ones; sort by x.
  if (!isSorted(x, order)) order = (order ?? Array.from({ length: n }, (_, k) => k)).sort((a, b) => x[a] - x[b] || a - b);
  // In order already (the usual case): views of the series, not copies.
  const pick = (c: Float64Array) => (order ? Float64Array.from(order, (i) => c[i]) : c);
  return { part, xs: pick(x), ys: pick(s.values), smooth: pick(smooth), steps: pick(s.steps), omitted: n - (order ? order.length : n) };
}

function isSorted(x: ArrayLike<number>, order: number[] | null): boolean {
  if (order) { for (let k = 1; k < order.length; k++) if (x[order[k]] < x[order[k - 1]]) return false; return true; }
  for (let i = 1; i < x.length; i++) if (x[i] < x[i - 1]) return false;
  return true;
}

export interface RunData {
  dir: string;
  tags: Map<string, TagData>;
  hparams: [string, HparamValue][];
  notes: string[];
  media: MediaTagInfo[];
  histograms: HistogramSeries[];
  texts: TextSeries[];
  error?: string;
}

export function applyData(run: RunData, m: { reset: boolean; chunks: ScalarSeriesChunk[]; hparams: [string, HparamValue][]; notes: string[]; media?: MediaTagInfo[]; histograms?: HistogramSeries[]; texts?: TextSeries[] }): Set<string> {
  if (m.reset) run.tags.clear();
  const touched = new Set<string>();
  for (const c of m.chunks) {
    const t = run.tags.get(c.tag) ?? run.tags.set(c.tag, new TagData(c.tag, c.source)).get(c.tag)!;
    t.append(c);
    touched.add(c.tag);
  }
  run.hparams = m.hparams;
  run.notes = m.notes;
  run.media = m.media ?? [];
  if (m.histograms) run.histograms = m.histograms;
  if (m.texts) run.texts = m.texts;
  run.error = undefined;
  return touched;
}

/** Twelve colours that read on light and dark backgrounds (Tableau 10 plus two). */
export const RUN_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#17becf', '#bcbd22'];

/**
 * Colour indices for `selected`: runs already shown (`shown`) keep theirs; a run coming back
 * gets its old one when no shown run holds it; others get the lowest free one. Returns the map
 * to keep (runs not selected keep theirs for when they return).
 */
export function assignColours(selected: readonly string[], previous: Readonly<Record<string, number>>, shown: readonly string[] = []): Record<string, number> {
  const out = new Map(Object.entries(previous));
  const taken = new Set<number>();
  const pending: string[] = [];
  const order = [...selected.filter((r) => shown.includes(r)), ...selected.filter((r) => !shown.includes(r))];
  for (const run of order) {
    const c = colourIndex(previous, run);
    if (c !== undefined && !taken.has(c)) taken.add(c);
    else pending.push(run);
  }
  for (const run of pending) {
    let c = 0;
    while (taken.has(c)) c++;
    taken.add(c);
    out.set(run, c);
  }
  return Object.fromEntries(out);
}

/** A run's colour index, if it has one: only the record's own entries (a run may be named `constructor`). */
export function colourIndex(colours: Readonly<Record<string, number>>, run: string): number | undefined {
  return Object.hasOwn(colours, run) ? colours[run] : undefined;
}

export function colourOf(index: number): string {
  return RUN_COLOURS[index % RUN_COLOURS.length];
}

/** One line a card draws, with its run. */
export interface CardLine {
  run: string;
  segment: DisplaySegment;
}

export interface CardTable {
  /** uPlot's aligned data: x, then raw and smoothed y for each line. */
  data: (Float64Array | (number | null)[])[];
  /** The y range of the visible points (raw and smoothed), or undefined when none are visible. */
  y: { min: number; max: number } | undefined;
  points: number;
  /** Visible points left out because log y cannot show them (≤ 0, or not finite). */
  offLogY: number;
}

/**
 * What a card draws for x in [x0, x1] on `columns` pixel columns: each line decimated to
 * min/max per column (on the raw values, so spikes stay), then one x table for all lines.
 */
export function buildCardTable(lines: readonly CardLine[], x0: number, x1: number, columns: number, o: { logY: boolean; ignoreOutliers: boolean }): CardTable {
  const picks = lines.map((l) => decimateMinMax(l.segment.xs, l.segment.ys, x0, x1, columns));
  // Where each picked point goes on the shared x. Exact x values while the table stays small;
  // when many runs would each add their own x values (a table of every run's points, mostly
  // empty cells), a decimated column's points take four fixed places inside its pixel column
  // instead, by their order there: the same picture, one small table for all runs.
  const exact = new Set<number>();
  picks.forEach((p, k) => { for (const i of p) exact.add(lines[k].segment.xs[i]); });
  const cols = Math.max(1, Math.floor(columns));
  const span = x1 - x0 || 1;
  const slotted = exact.size > cols * 8;
  const placeOf = picks.map((p, k) => {
    const xs = lines[k].segment.xs;
    if (!slotted) return Array.from(p, (i) => xs[i]);
    const out: number[] = [];
    let col = NaN, rank = 0;
    for (const i of p) {
      const x = xs[i];
      if (x < x0 || x > x1) { out.push(x); continue; }
      const c = Math.min(cols - 1, Math.floor(((x - x0) / span) * cols));
      rank = c === col ? rank + 1 : 0;
      col = c;
      out.push(x0 + ((c + (Math.min(rank, 3) + 0.5) / 4) / cols) * span);
    }
    return out;
  });
  const xsAll = new Set<number>();
  for (const places of placeOf) for (const v of places) xsAll.add(v);
  const x = Float64Array.from(xsAll).sort();
  const col = new Map<number, number>();
  x.forEach((v, i) => col.set(v, i));
  const data: (Float64Array | (number | null)[])[] = [x];
  const visible: number[] = [];
  let points = 0, offLogY = 0;
  const yOk = (v: number) => Number.isFinite(v) && (!o.logY || v > 0);
  picks.forEach((p, k) => {
    const seg = lines[k].segment;
    const raw: (number | null)[] = new Array(x.length).fill(null);
    const sm: (number | null)[] = new Array(x.length).fill(null);
    p.forEach((i, j) => {
      const c = col.get(placeOf[k][j])!;
      // Several points on one x (duplicate steps): the last written is drawn.
      raw[c] = yOk(seg.ys[i]) ? seg.ys[i] : null;
      sm[c] = yOk(seg.smooth[i]) ? seg.smooth[i] : null;
      if (seg.xs[i] >= x0 && seg.xs[i] <= x1) {
        points++;
        if (o.logY && Number.isFinite(seg.ys[i]) && seg.ys[i] <= 0) offLogY++;
        if (yOk(seg.ys[i])) visible.push(seg.ys[i]);
        if (yOk(seg.smooth[i])) visible.push(seg.smooth[i]);
      }
    });
    data.push(raw, sm);
  });
  return { data, y: yRange(visible, o), points, offLogY };
}

/** The range that fits `values`: all of them, or the 5th to 95th percentile ignoring outliers. */
export function yRange(values: number[], o: { logY: boolean; ignoreOutliers: boolean }): { min: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  let lo: number, hi: number;
  if (o.ignoreOutliers && values.length >= 20) {
    const sorted = Float64Array.from(values).sort();
    lo = sorted[Math.floor(0.05 * (sorted.length - 1))];
    hi = sorted[Math.ceil(0.95 * (sorted.length - 1))];
  } else {
    lo = Infinity; hi = -Infinity;
    for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  if (o.logY) {
    const pad = hi > lo ? (Math.log10(hi) - Math.log10(lo)) * 0.05 : 0.1;
    return { min: 10 ** (Math.log10(lo) - pad), max: 10 ** (Math.log10(hi) + pad) };
  }
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(hi) * 0.05 || 1;
  return { min: lo - pad, max: hi + pad };
}

/** The point of `seg` nearest to x (binary search on its sorted xs). */
export function nearestIndex(xs: Float64Array, x: number): number {
  if (xs.length === 0) return -1;
  let lo = 0, hi = xs.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
  return lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x) ? lo - 1 : lo;
}

/** The x extent of all lines. */
export function extent(lines: readonly CardLine[]): { min: number; max: number } | undefined {
  let min = Infinity, max = -Infinity;
  for (const l of lines) { const xs = l.segment.xs; if (xs.length) { min = Math.min(min, xs[0]); max = Math.max(max, xs[xs.length - 1]); } }
  return min <= max ? { min, max } : undefined;
}

const num = (v: number) => (Number.isNaN(v) ? '' : String(v));

/** Every point of the lines within [x0, x1] (not decimated): run, tag, step, wall time, value, smoothed. */
export function seriesCsv(rows: { label: string; tag: string; segment: DisplaySegment }[], x0: number, x1: number): string {
  const out = ['run,tag,step,x,value,smoothed'];
  for (const r of rows) {
    const s = r.segment;
    for (let i = 0; i < s.xs.length; i++) {
      if (s.xs[i] < x0 || s.xs[i] > x1) continue;
      out.push(`${csvField(r.label)},${csvField(r.tag)},${num(s.steps[i])},${num(s.xs[i])},${num(s.ys[i])},${num(s.smooth[i])}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Whether a lower value is better for a metric named so (losses, errors). */
export const lowerIsBetter = (tag: string) => /loss|err|mse|mae|rmse|perplex|wer|cer|nll/i.test(tag);

export interface HparamsRow {
  run: string;
  values: Map<string, HparamValue>;
  /** Per metric tag: the last value (by step, as TensorBoard shows) and the best. */
  metrics: Map<string, { last: number; best: number }>;
}

export function hparamsRow(run: RunData, metricTags: readonly string[]): HparamsRow {
  const metrics = new Map<string, { last: number; best: number }>();
  for (const tag of metricTags) {
    const t = run.tags.get(tag);
    if (!t || t.length === 0) continue;
    const s = tensorboardView(t.written());
    let best = NaN;
    const lower = lowerIsBetter(tag);
    for (const v of s.values) if (Number.isFinite(v) && (Number.isNaN(best) || (lower ? v < best : v > best))) best = v;
    metrics.set(tag, { last: s.values[s.values.length - 1], best });
  }
  return { run: run.dir, values: new Map(run.hparams), metrics };
}

/** The metric columns: tags every run could compare on, validation ones first, at most `max`. */
export function metricColumns(runs: readonly RunData[], max = 6): string[] {
  const count = new Map<string, number>();
  for (const r of runs) for (const tag of r.tags.keys()) count.set(tag, (count.get(tag) ?? 0) + 1);
  const score = (t: string) => (/^(val|valid|validation|test|eval)[/_]/.test(t) ? 0 : /hp_metric|hparam\//.test(t) ? 1 : /loss|acc/.test(t) ? 2 : 3);
  return [...count.keys()].filter((t) => !/^(epoch|step|global_step)$/.test(t) && !/^lr[-_/]|learning_rate/.test(t))
    .sort((a, b) => score(a) - score(b) || count.get(b)! - count.get(a)! || a.localeCompare(b)).slice(0, max);
}

export function compareCells(a: HparamValue | number | undefined, b: HparamValue | number | undefined): number {
  const rank = (v: unknown) => (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? 2 : typeof v === 'number' ? 0 : 1);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** A case-insensitive regex from the user's text, or the reason it is not one. */
export function parseRegex(text: string): { re?: RegExp; error?: string } {
  if (!text.trim()) return {};
  try {
    return { re: new RegExp(text, 'i') };
  } catch (err) {
    return { error: `Not a regular expression: ${(err as Error).message}` };
  }
}

/** The group a tag's card goes in: the part before its first '/', or '' for none. */
export const tagGroup = (tag: string) => (tag.includes('/') ? tag.slice(0, tag.indexOf('/')) : '');
