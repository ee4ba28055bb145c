// The webview's trace shaping: every point lands in exactly one trace, and hover and
// selection map trace points back to the same space point.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { SpaceData } from '../../../src/protocol/embeddings';
import { CHUNK, MAX_LEGEND, numberRange, pointOf, splitByCategory, stepTraces } from '../../../webview/embeddings/traces';

const text = (s: string) => s.replace(/</g, '&lt;');

function space(n: number, fields: SpaceData['fields'] = []): SpaceData {
  return { name: 'latent', x: Float32Array.from({ length: n }, (_, i) => i), y: Float32Array.from({ length: n }, (_, i) => -i), fields };
}

/** Every trace point, as (space point, x) pairs. */
function plotted(s: SpaceData, options: Parameters<typeof stepTraces>[1]): [number, number][] {
  const { data, sources } = stepTraces([s], options)[0];
  return data.flatMap((t, k) => Array.from(t.x as Float32Array, (x, j) => [pointOf(sources[k], j)!, x] as [number, number]));
}

test('splitByCategory keeps every index once, in order, and drops codes outside the table', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }), (codes) => {
    const parts = splitByCategory(Uint32Array.from(codes), 5);
    parts.forEach((idx, c) => {
      expect(Array.from(idx)).toEqual(codes.flatMap((code, i) => (code === c ? [i] : [])));
    });
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(codes.filter((c) => c < 5).length);
  }));
});

test('a category field gives one trace per category with a legend entry, mapping back to the right points', () => {
  const codes = Uint32Array.from({ length: 1000 }, (_, i) => (i * 7) % 3);
  const s = space(1000, [{ name: 'label', kind: 'category', codes, categories: ['a', '<b>', ''] }]);
  const { data, sources, legend } = stepTraces([s], { colorBy: 'label', selected: new Set(), foreground: '#000', text })[0];
  expect(legend).toBe(true);
  expect(data.map((t) => t.name)).toEqual(['a', '&lt;b>', '(none)']);
  for (const [p, x] of plotted(s, { colorBy: 'label', selected: new Set(), foreground: '#000', text })) expect(x).toBe(p);
  expect(sources.every((src, k) => Array.from(src.indices!).every((p) => codes[p] === k))).toBe(true);
});

test('spaces over CHUNK points are cut into traces under Plotly’s clustering threshold, none lost', () => {
  const n = CHUNK * 2 + 123;
  for (const colorBy of [undefined, 'loss', 'label']) {
    const s = space(n, [
      { name: 'loss', kind: 'number', values: Float64Array.from({ length: n }, (_, i) => i) },
      { name: 'label', kind: 'category', codes: Uint32Array.from({ length: n }, (_, i) => i % 2), categories: ['x', 'y'] },
    ]);
    const { data } = stepTraces([s], { colorBy, selected: new Set(), foreground: '#000', text })[0];
    expect(data.every((t) => (t.x as Float32Array).length < 100_000)).toBe(true);
    const points = plotted(s, { colorBy, selected: new Set(), foreground: '#000', text });
    expect(points.length).toBe(n);
    expect(new Set(points.map(([p]) => p)).size).toBe(n);
    expect(points.every(([p, x]) => p === x)).toBe(true);
  }
});

test('a number field shares one colour range over all spaces, with one colour bar', () => {
  const a = space(3, [{ name: 'loss', kind: 'number', values: Float64Array.of(1, NaN, 2) }]);
  const b = { ...space(2, [{ name: 'loss', kind: 'number', values: Float64Array.of(-4, 9) }]), name: 'lora' };
  expect(numberRange([a, b], 'loss')).toEqual([-4, 9]);
  const traces = stepTraces([a, b], { colorBy: 'loss', selected: new Set(), foreground: '#000', text }).map((t) => t.data[0].marker as Record<string, unknown>);
  expect(traces.map((m) => [m.cmin, m.cmax, m.showscale])).toEqual([[-4, 9, false], [-4, 9, true]]);
});

test('more categories than the legend holds colour one trace per chunk instead', () => {
  const k = MAX_LEGEND + 1;
  const s = space(k, [{ name: 'label', kind: 'category', codes: Uint32Array.from({ length: k }, (_, i) => i), categories: Array.from({ length: k }, (_, i) => `c${i}`) }]);
  const { data, legend } = stepTraces([s], { colorBy: 'label', selected: new Set(), foreground: '#000', text })[0];
  expect(legend).toBe(false);
  expect(data).toHaveLength(1);
  expect((data[0].marker as { color: string[] }).color).toHaveLength(k);
});

test('selected points are marked in whichever trace holds them', () => {
  const n = CHUNK + 10;
  const s = space(n, [{ name: 'label', kind: 'category', codes: Uint32Array.from({ length: n }, (_, i) => i % 2), categories: ['even', 'odd'] }]);
  const selected = new Set([3, 4, CHUNK + 5]);
  for (const colorBy of [undefined, 'label']) {
    const { data, sources } = stepTraces([s], { colorBy, selected, foreground: '#000', text })[0];
    const marked = data.flatMap((t, k) => (t.selectedpoints as number[]).map((j) => pointOf(sources[k], j)));
    expect(marked.sort((x, y) => x! - y!)).toEqual([3, 4, CHUNK + 5]);
  }
});

test('an empty space still gives one (empty) trace, so its axes are drawn', () => {
  const { data } = stepTraces([space(0)], { selected: new Set(), foreground: '#000', text })[0];
  expect(data).toHaveLength(1);
  expect((data[0].x as Float32Array).length).toBe(0);
});
