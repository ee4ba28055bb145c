// The Embedding Timeline's CPU side, pure: colour fields and scales, axis ticks, the hover
// index, lasso hits, density bins and transition starts, each against a brute-force answer.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { NO_COLOUR, packTexts, type SpaceData } from '../../../src/protocol/embeddings';
import { colourFieldOf, numberRange } from '../../../webview/embeddings/colouring';
import { densityBins, extentOf, followRows, GridIndex, niceTicks, pointsInPolygon, transitionStarts, zoomRange } from '../../../webview/embeddings/geometry';

function space(n: number, fields: SpaceData['fields'] = []): SpaceData {
  return { name: 'latent', x: Float32Array.from({ length: n }, (_, i) => i), y: Float32Array.from({ length: n }, (_, i) => -i), fields };
}

test('a number field shares one colour range over all spaces; NaN is left out', () => {
  const a = space(3, [{ name: 'loss', kind: 'number', values: Float64Array.of(1, NaN, 2) }]);
  const b = { ...space(2, [{ name: 'loss', kind: 'number', values: Float64Array.of(-4, 9) }]), name: 'lora' };
  expect(numberRange([a, b], 'loss')).toEqual([-4, 9]);
  expect(numberRange([space(2)], 'loss')).toEqual([0, 1]);
});

test('the colour field: the choice where the space has it, else its own best, never a missing one', () => {
  const s = space(4, [{ name: 'label', kind: 'category', codes: Uint32Array.of(0, 1, 0, 1), categories: packTexts(['a', 'b']) }]);
  expect(colourFieldOf(s, undefined)).toBe('label');
  expect(colourFieldOf(s, 'loss')).toBe('label');
  expect(colourFieldOf(s, NO_COLOUR)).toBeUndefined();
});

test('extentOf pads the finite points by 5 % and skips NaN and infinities', () => {
  const r = extentOf(Float32Array.of(0, NaN, 10, Infinity), Float32Array.of(5, 1, -5, 0));
  expect(r.x).toEqual([-0.5, 10.5]);
  expect(r.y).toEqual([-5.5, 5.5]);
  expect(extentOf(Float32Array.of(NaN), Float32Array.of(NaN))).toEqual({ x: [-1, 1], y: [-1, 1] });
  expect(extentOf(Float32Array.of(3), Float32Array.of(3)).x).toEqual([3 - 0.15, 3 + 0.15]);
});

test('niceTicks are round, inside the range, two at least and about as many as asked', () => {
  expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
  expect(niceTicks(-0.33, 0.33, 4)).toEqual([-0.2, 0, 0.2]);
  // Two ticks asked over a span of 4: the round step 5 would leave none (a CI counterexample).
  expect(niceTicks(1.5e-323, 4.000000000000001, 2)).toEqual([2, 4]);
  // A 289-pixel plot over [-9, 9.5] asks for 3: the step 10 left one tick, at 0.
  expect(niceTicks(-9, 9.5, 3)).toEqual([-5, 0, 5]);
  fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 12 }), (lo, span, count) => {
    const ticks = niceTicks(lo, lo + span, count);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(2 * count + 2);
    for (const t of ticks) { expect(t).toBeGreaterThanOrEqual(lo - span * 1e-6); expect(t).toBeLessThanOrEqual(lo + span * (1 + 1e-6)); }
  }));
});

test('zoomRange keeps the point under the cursor in place', () => {
  const r = zoomRange({ x: [0, 10], y: [-4, 4] }, 2, 1, 0.5);
  expect(r).toEqual({ x: [1, 6], y: [-1.5, 2.5] });
});

test('the grid index finds the nearest point within the radius, as a scan of every point does', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.float({ min: -100, max: 100, noNaN: true }), fc.float({ min: -100, max: 100, noNaN: true })), { minLength: 1, maxLength: 400 }), fc.float({ min: -110, max: 110, noNaN: true }), fc.float({ min: -110, max: 110, noNaN: true }), (pts, qx, qy) => {
    const x = Float32Array.from(pts, (p) => p[0]), y = Float32Array.from(pts, (p) => p[1]);
    const index = new GridIndex(x, y, 16);
    const k = 3, radius = 20; // 3 screen units per data unit
    const got = index.nearest(qx, qy, k, k, radius);
    let best = -1, bestD = radius * radius;
    for (let i = 0; i < x.length; i++) { const d = ((x[i] - qx) * k) ** 2 + ((y[i] - qy) * k) ** 2; if (d <= bestD) { bestD = d; best = i; } }
    if (best < 0) expect(got).toBe(-1);
    else expect(((x[got] - qx) * k) ** 2 + ((y[got] - qy) * k) ** 2).toBe(bestD);
  }));
});

test('the grid index keeps every finite point once and skips points it is told are hidden', () => {
  const x = Float32Array.of(0, 1, NaN, 1), y = Float32Array.of(0, 1, 0, 1);
  const index = new GridIndex(x, y, 8);
  expect(Array.from(index.order).sort()).toEqual([0, 1, 3]);
  expect(index.nearest(1, 1, 10, 10, 5)).not.toBe(-1);
  expect(index.nearest(1, 1, 10, 10, 5, (i) => i !== 0)).toBe(-1);
});

test('pointsInPolygon: a square and a concave L, against the points known inside', () => {
  const x = Float32Array.of(0.5, 1.5, 0.5, 1.5, 5, NaN), y = Float32Array.of(0.5, 0.5, 1.5, 1.5, 5, 0.5);
  expect(pointsInPolygon(x, y, [0, 0, 2, 0, 2, 2, 0, 2])).toEqual([0, 1, 2, 3]);
  // L: the square without its top-right quarter.
  expect(pointsInPolygon(x, y, [0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2])).toEqual([0, 1, 2]);
  expect(pointsInPolygon(x, y, [0, 0, 1, 1])).toEqual([]);
});

test('densityBins: smoothed counts on a log scale, densest place 255, far from any point 0', () => {
  const x = Float32Array.of(0.05, 0.05, 0.05, 0.95, 5), y = Float32Array.of(0.05, 0.05, 0.05, 0.95, 5);
  const bins = densityBins(x, y, { x: [0, 1], y: [0, 1] }, 10, 10);
  expect(bins[0]).toBe(255); // three points in the bottom-left cell
  expect(bins[99]).toBeGreaterThan(0); // one in the top-right
  expect(bins[99]).toBeLessThan(255);
  expect(bins[5 * 10 + 5]).toBe(0); // the middle is far from both
  const withoutThree = densityBins(x, y, { x: [0, 1], y: [0, 1] }, 10, 10, (i) => i < 3);
  expect([withoutThree[0], withoutThree[99]]).toEqual([0, 255]);
});

test('transition starts follow row ids, not row numbers; a new row has none', () => {
  const prev = { ids: Uint32Array.of(7, 3, 5), x: Float32Array.of(70, 30, 50), y: Float32Array.of(-70, -30, -50) };
  const s = transitionStarts(Uint32Array.of(5, 9, 7), prev)!;
  expect(Array.from(s.x)).toEqual([50, NaN, 70]);
  expect(Array.from(s.y)).toEqual([-50, NaN, -70]);
  // The same rows in the same order: each starts where it was.
  const same = transitionStarts(Uint32Array.of(7, 3, 5), prev)!;
  expect([Array.from(same.x), Array.from(same.y)]).toEqual([[70, 30, 50], [-70, -30, -50]]);
  // No row in common (a run whose rows are all new each step): nothing to animate.
  expect(transitionStarts(Uint32Array.of(8, 9, 10), prev)).toBeUndefined();
  expect(transitionStarts(Uint32Array.of(4, 6), prev)).toBeUndefined(); // in range, but none of them
});

test('transition starts agree with a lookup by id for any ids, dense or spread thin', () => {
  const ids = fc.uniqueArray(fc.oneof(fc.nat(300), fc.nat(4_000_000_000)), { maxLength: 80 });
  fc.assert(fc.property(ids, ids, (before, after) => {
    const prev = { ids: Uint32Array.from(before), x: Float32Array.from(before, (_, i) => i), y: Float32Array.from(before, (_, i) => -i) };
    const where = new Map(before.map((id, i) => [id, i] as const));
    const s = transitionStarts(Uint32Array.from(after), prev);
    const expected = after.map((id) => where.get(id) ?? NaN);
    if (expected.every(Number.isNaN) && !(after.length === before.length && after.every((id, i) => id === before[i]))) expect(s).toBeUndefined();
    else {
      expect(Array.from(s!.x)).toEqual(expected);
      expect(Array.from(s!.y)).toEqual(expected.map((v) => (Number.isNaN(v) ? NaN : -v)));
    }
  }));
});

test('a selection follows its rows to another step by id; a row that step lacks drops out', () => {
  const from = Uint32Array.of(7, 3, 5, 8), to = Uint32Array.of(5, 9, 7, 3);
  expect(followRows([0, 2, 3], from, to)).toEqual([2, 0]); // ids 7 and 5 moved; 8 is gone
  expect(followRows([9], from, to)).toEqual([]); // a row number past the step's rows
  expect(followRows([3, 1, 9], from, Uint32Array.from(from))).toEqual([3, 1]); // the same rows, in order
  fc.assert(fc.property(fc.uniqueArray(fc.nat(1000), { maxLength: 60 }), fc.integer(), (ids, seed) => {
    const shuffled = [...ids].sort((a, b) => ((a * 2654435761 + seed) >>> 0) - ((b * 2654435761 + seed) >>> 0));
    const sel = ids.map((_, i) => i).filter((i) => (i + seed) % 3 === 0);
    const moved = followRows(sel, Uint32Array.from(ids), Uint32Array.from(shuffled));
    expect(moved.map((j) => shuffled[j]).sort()).toEqual(sel.map((i) => ids[i]).sort());
  }));
});
