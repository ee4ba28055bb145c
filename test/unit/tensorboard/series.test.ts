// Smoothing and decimation for the Scalars panel, on all points.
import { expect, test } from 'vitest';
import { debiasedEma, decimateMinMax } from '../../../src/domain/tensorboard/series';

test('debiased EMA: TensorBoard\'s formula; the first point is itself; weight 0 is the raw series', () => {
  const v = [1, 2, 3, 10, NaN, 4];
  const s = debiasedEma(v, 0.6);
  // By hand: last = 0.4, 0.4·0.6+0.8=1.04, 1.04·0.6+1.2=1.824, 1.824·0.6+4=5.0944; skip NaN; 5.0944·0.6+1.6=4.65664
  const expected = [0.4 / 0.4, 1.04 / (1 - 0.36), 1.824 / (1 - 0.216), 5.0944 / (1 - 0.1296), NaN, 4.65664 / (1 - 0.07776)];
  s.forEach((x, i) => (Number.isNaN(expected[i]) ? expect(x).toBeNaN() : expect(x).toBeCloseTo(expected[i], 12)));
  expect(Array.from(debiasedEma(v, 0))).toEqual(v);
});

test('min/max decimation of a million points keeps the spike and the ends, and stays bounded', () => {
  const n = 1_000_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i);
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000));
  ys[654_321] = 50; // one spike
  ys[123_456] = -40;
  const picked = decimateMinMax(xs, ys, 0, n - 1, 800);
  expect(picked.length).toBeLessThanOrEqual(800 * 4);
  const values = Array.from(picked, (i) => ys[i]);
  expect(Math.max(...values)).toBe(50);
  expect(Math.min(...values)).toBe(-40);
  expect([picked[0], picked.at(-1)]).toEqual([0, n - 1]);
  for (let k = 1; k < picked.length; k++) expect(picked[k]).toBeGreaterThan(picked[k - 1]);
});

test('a zoomed window starts one point before it (so the line reaches the edge); few points pass whole', () => {
  const xs = [0, 10, 20, 30, 40];
  expect(Array.from(decimateMinMax(xs, [1, 2, 3, 4, 5], 15, 35, 100))).toEqual([1, 2, 3, 4]);
});
