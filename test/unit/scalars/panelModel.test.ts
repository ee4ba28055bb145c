// The Scalars panel's pure model: chunks appended as the host sends them, segments per axis,
// colours that stay with a run, the card table with min/max decimation, y ranges, CSV.
import { expect, test } from 'vitest';
import { applyData, assignColours, buildCardTable, colourIndex, metricColumns, seriesCsv, TagData, yRange, type RunData } from '../../../webview/scalars/model';

const f64 = (a: number[]) => Float64Array.from(a);
const chunk = (tag: string, from: number, steps: number[], values: number[], wall = steps.map((s) => 1000 + s)) => ({ tag, source: 'events' as const, from, steps: f64(steps), values: f64(values), wallTimes: f64(wall) });

test('chunks append in place; one that would leave a gap is refused, an overlap replaces', () => {
  const t = new TagData('loss', 'events');
  t.append(chunk('loss', 0, [0, 1, 2], [3, 2, 1]));
  t.append(chunk('loss', 3, [3], [0.5]));
  t.append(chunk('loss', 9, [9], [9])); // gap: refused
  expect([t.length, Array.from(t.values.view())]).toEqual([4, [3, 2, 1, 0.5]]);
  t.append(chunk('loss', 2, [2, 3, 4], [1.5, 0.4, 0.3]));
  expect(Array.from(t.values.view())).toEqual([3, 2, 1.5, 0.4, 0.3]);
  for (let k = 5; k < 2000; k++) t.append(chunk('loss', k, [k], [k]));
  expect(t.length).toBe(2000);
});

test('segments: TensorBoard\'s view by default, one per restart when showing everything written', () => {
  const t = new TagData('loss', 'events');
  t.append(chunk('loss', 0, [0, 10, 20, 30, 10, 20, 40], [1, 2, 3, 4, 20, 30, 50]));
  const tb = t.segments({ x: 'step', allWritten: false, smoothing: 0, logX: false });
  expect(tb.map((s) => [Array.from(s.xs), Array.from(s.ys)])).toEqual([[[0, 10, 20, 30, 40], [1, 20, 30, 4, 50]]]);
  const all = t.segments({ x: 'step', allWritten: true, smoothing: 0, logX: false });
  expect(all.map((s) => [s.part, Array.from(s.xs)])).toEqual([[0, [0, 10, 20, 30]], [1, [10, 20, 40]]]);
  expect(t.restartSteps()).toEqual([10]);
  const logX = t.segments({ x: 'step', allWritten: false, smoothing: 0, logX: true });
  expect([logX[0].omitted, logX[0].xs[0]]).toEqual([1, 10]);
  const rel = t.segments({ x: 'relative', allWritten: false, smoothing: 0, logX: false });
  expect(Array.from(rel[0].xs)).toEqual([0, 10, 20, 30, 40]);
});

test('smoothing is computed on the whole series before points are left out for an axis', () => {
  const t = new TagData('loss', 'events');
  t.append(chunk('loss', 0, [0, 1, 2], [10, 0, 0]));
  const [s] = t.segments({ x: 'step', allWritten: false, smoothing: 0.5, logX: true });
  // EMA over 10, 0, 0 with w = 0.5, debiased: 10, 10/3, 10/7; step 0 is then left out.
  expect(Array.from(s.xs)).toEqual([1, 2]);
  expect(s.smooth[0]).toBeCloseTo(10 / 3, 12);
  expect(s.smooth[1]).toBeCloseTo(10 / 7, 12);
});

test('colours stay with a run as others come and go; a returning run gets its old colour when free', () => {
  let c = assignColours(['a', 'b'], {});
  expect(c).toEqual({ a: 0, b: 1 });
  c = assignColours(['b', 'c'], c, ['a', 'b']);
  expect([c.b, c.c]).toEqual([1, 0]);
  c = assignColours(['b', 'c', 'a'], c, ['b', 'c']); // a's 0 is c's now: a gets a new one
  expect([c.a, c.b, c.c]).toEqual([2, 1, 0]);
  c = assignColours(['a', 'd'], c, ['a']); // b and c left; d takes the lowest free
  expect([c.a, c.d]).toEqual([2, 0]);
});

test('runs named like Object\'s own members get colours of their own', () => {
  const c = assignColours(['constructor', '__proto__', 'toString'], {});
  expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
  expect(Object.entries(c)).toEqual([['constructor', 0], ['__proto__', 1], ['toString', 2]]);
  expect(['constructor', '__proto__', 'toString', 'hasOwnProperty'].map((r) => colourIndex(c, r))).toEqual([0, 1, 2, undefined]);
  // Kept in the page's state (JSON) and back: the same colours.
  expect(assignColours(['toString', '__proto__'], JSON.parse(JSON.stringify(c)), ['toString', '__proto__'])).toEqual(c);
});

test('the card table: every line decimated to its columns with spikes kept, one shared x', () => {
  const n = 100_000;
  const a = new TagData('x', 'events');
  const steps = Array.from({ length: n }, (_, i) => i), values = steps.map((i) => Math.sin(i / 1000));
  values[54_321] = 50; // one spike
  a.append(chunk('x', 0, steps, values));
  const b = new TagData('x', 'events');
  b.append(chunk('x', 0, [5, 50_000.5], [1, 2]));
  const lines = [{ run: 'a', segment: a.segments({ x: 'step', allWritten: false, smoothing: 0, logX: false })[0] }, { run: 'b', segment: b.segments({ x: 'step', allWritten: false, smoothing: 0, logX: false })[0] }];
  const t = buildCardTable(lines, 0, n - 1, 300, { logY: false, ignoreOutliers: false });
  expect(t.data.length).toBe(5);
  const x = t.data[0] as Float64Array;
  expect(x.length).toBeLessThanOrEqual(300 * 4 + 2);
  expect(Array.from(x).includes(50_000.5)).toBe(true);
  expect(Math.max(...(t.data[1] as (number | null)[]).filter((v): v is number => v !== null))).toBe(50);
  expect(t.y!.max).toBeGreaterThan(50);
  const quiet = buildCardTable(lines, 0, n - 1, 300, { logY: false, ignoreOutliers: true });
  expect(quiet.y!.max).toBeLessThan(3);
});

test('y ranges: padded, log-aware, and undefined when nothing is visible', () => {
  expect(yRange([], { logY: false, ignoreOutliers: false })).toBeUndefined();
  expect(yRange([1, 3], { logY: false, ignoreOutliers: false })).toEqual({ min: 0.9, max: 3.1 });
  const log = yRange([1e-4, 1e-2], { logY: true, ignoreOutliers: false })!;
  expect([Math.log10(log.min), Math.log10(log.max)].map((v) => Number(v.toFixed(6)))).toEqual([-4.1, -1.9]);
  expect(yRange([5, 5], { logY: false, ignoreOutliers: false })).toEqual({ min: 4.75, max: 5.25 });
});

test('the CSV export quotes run and tag names and keeps unknown values empty', () => {
  const t = new TagData('a,"b"', 'events');
  t.append(chunk('a,"b"', 0, [1, 2], [0.5, NaN]));
  const csv = seriesCsv([{ label: 'run 1', tag: t.tag, segment: t.segments({ x: 'step', allWritten: false, smoothing: 0, logX: false })[0] }], -Infinity, Infinity);
  expect(csv).toBe('run,tag,step,x,value,smoothed\nrun 1,"a,""b""",1,1,0.5,0.5\nrun 1,"a,""b""",2,2,,\n');
});

test('metric columns: validation tags first, never epoch or the learning rate', () => {
  const run = (tags: string[]): RunData => { const r: RunData = { dir: 'r', tags: new Map(), hparams: [], notes: [], media: [], histograms: [], texts: [] }; applyData(r, { reset: true, chunks: tags.map((t) => chunk(t, 0, [1], [1])), hparams: [], notes: [] }); return r; };
  expect(metricColumns([run(['epoch', 'lr-AdamW', 'train/loss', 'val/loss', 'val/acc', 'hp_metric'])])).toEqual(['val/acc', 'val/loss', 'hp_metric', 'train/loss']);
});

test('histograms are rebinned by overlap: counts kept, each in the bins its bucket covers', async () => {
  const { rebin } = await import('../../../webview/scalars/mediaCards');
  // Buckets (−1, 0] with 4 and (0, 2] with 6, on 4 bins of [−1, 3].
  const bins = rebin([0, 2], [4, 6], -1, -1, 3, 4);
  expect(Array.from(bins)).toEqual([4, 3, 3, 0]);
  expect(bins.reduce((a, b) => a + b, 0)).toBe(10);
  // A bucket of zero width (every value the same) lands in one bin.
  expect(Array.from(rebin([5], [7], 5, 5, 5, 3))).toEqual([7, 0, 0]);
});

test('the session samples histograms evenly over steps (the last kept) and keeps the last text entries', async () => {
  const { mediaSeries } = await import('../../../src/domain/tensorboard/scalarsSession');
  const h = (step: number) => ({ kind: 'histogram' as const, tag: 'w', step, wallTime: 0, file: 'f', histogram: { min: 0, max: 1, num: 1, sum: 0, limits: f64([1]), counts: f64([1]) } });
  const t = (step: number) => ({ kind: 'text' as const, tag: 'n', step, wallTime: 0, file: 'f', text: `s${step}` });
  const out = mediaSeries([{ tag: 'w', kind: 'histogram', entries: Array.from({ length: 1000 }, (_, i) => h(i)) }, { tag: 'n', kind: 'text', entries: Array.from({ length: 150 }, (_, i) => t(i)) }]);
  const steps = out.histograms[0].histograms.map((x) => x.step);
  expect([out.histograms[0].total, steps.length, steps[0], steps.at(-1)]).toEqual([1000, 60, 0, 999]);
  expect([out.texts[0].total, out.texts[0].entries.length, out.texts[0].entries[0].text, out.texts[0].entries.at(-1)!.text]).toEqual([150, 100, 's50', 's149']);
});
