// Tensor statistics, planes and comparisons on files the producer wrote, against numpy's
// answers written beside them (test/fixtures/make_fixtures.py tensors()).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readSafetensorsHeaderFrom } from '../../../src/domain/artifacts/safetensors';
import { FileSource } from '../../../src/domain/artifacts/source';
import { compareTensors } from '../../../src/domain/tensors/compare';
import { MAX_PLANE_CELLS, planeLayout, readPlane } from '../../../src/domain/tensors/plane';
import { tensorStats } from '../../../src/domain/tensors/tensorStats';
import { artifactError, TENSORS } from '../helpers';


const STATS_FILE = join(TENSORS, 'stats.safetensors');
const expected = JSON.parse(readFileSync(join(TENSORS, 'stats.expected.json'), 'utf8'));
const storeExpected = JSON.parse(readFileSync(join(TENSORS, 'store.expected.json'), 'utf8'));

async function open(path: string) {
  const src = await FileSource.open(path);
  const header = await readSafetensorsHeaderFrom(src);
  return { src, header, tensor: (name: string) => header.tensors.find((t) => t.name === name)! };
}

describe('tensorStats', () => {
  test.each(['f32_special', 'bf16_latent', 'f16_plane', 'known', 'scalar'])('%s agrees with numpy', async (name) => {
    const f = await open(STATS_FILE);
    try {
      const want = expected[name];
      const { stats, histogram } = await tensorStats(f.src, f.tensor(name));
      expect({ count: stats.count, nan: stats.nan, posInf: stats.posInf, negInf: stats.negInf, zeros: stats.zeros })
        .toEqual({ count: want.count, nan: want.nan, posInf: want.posInf, negInf: want.negInf, zeros: want.zeros });
      expect(stats.min).toBe(want.min);
      expect(stats.max).toBe(want.max);
      expect(stats.mean).toBeCloseTo(want.mean, 9);
      expect(stats.std).toBeCloseTo(want.std, 9);
      expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(want.count - want.nan - want.posInf - want.negInf);
      // numpy bins by the same edges; a value exactly on an edge may land one bin over.
      const moved = histogram.counts.reduce((s, c, i) => s + Math.abs(c - want.histogram[i]), 0);
      expect(moved).toBeLessThanOrEqual(2);
    } finally {
      await f.src.close();
    }
  });

  test('any chunk size gives the same answer; progress reaches 1', async () => {
    const f = await open(STATS_FILE);
    try {
      const whole = await tensorStats(f.src, f.tensor('f32_special'));
      const seen: number[] = [];
      const chunked = await tensorStats(f.src, f.tensor('f32_special'), { chunkElements: 7, onProgress: (p) => seen.push(p) });
      expect(chunked.histogram).toEqual(whole.histogram);
      expect(chunked.stats.mean).toBeCloseTo(whole.stats.mean!, 12);
      expect(chunked.stats.std).toBeCloseTo(whole.stats.std!, 12);
      expect(seen.at(-1)).toBe(1);
      expect(seen.every((p, i) => i === 0 || p >= seen[i - 1])).toBe(true);
    } finally {
      await f.src.close();
    }
  });

  test('cancelled: stops with an AbortError', async () => {
    const f = await open(STATS_FILE);
    const ac = new AbortController();
    ac.abort();
    await expect(tensorStats(f.src, f.tensor('f32_special'), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await f.src.close();
  });
});

describe('readPlane', () => {
  test('the plane of known[1] is 100 + 10·row + col, cell for cell', async () => {
    const f = await open(STATS_FILE);
    const p = await readPlane(f.src, f.tensor('known'), { lead: [1], maxRows: 100, maxCols: 100 });
    await f.src.close();
    expect([p.outRows, p.outCols, p.rowStep, p.colStep, p.min, p.max]).toEqual([4, 6, 1, 1, 100, 135]);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) expect(p.values[r * 6 + c]).toBe(100 + 10 * r + c);
  });

  test('reduced planes are block means; windows read only their part', async () => {
    const f = await open(STATS_FILE);
    const p = await readPlane(f.src, f.tensor('known'), { lead: [0], maxRows: 2, maxCols: 3 });
    expect([p.outRows, p.outCols, p.rowStep, p.colStep]).toEqual([2, 3, 2, 2]);
    // Block (rows 0–1, cols 0–1): mean of 0, 1, 10, 11.
    expect(Array.from(p.values)).toEqual([5.5, 7.5, 9.5, 25.5, 27.5, 29.5]);
    const w = await readPlane(f.src, f.tensor('known'), { lead: [1], r0: 2, r1: 4, c0: 3, c1: 5, maxRows: 10, maxCols: 10 });
    expect(Array.from(w.values)).toEqual([123, 124, 133, 134]);
    await f.src.close();
  });

  test('NaN and Inf are left out of block means; an all-NaN cell is NaN', async () => {
    const f = await open(STATS_FILE);
    const p = await readPlane(f.src, f.tensor('f32_special'), { lead: [0], maxRows: 50, maxCols: 40 });
    await f.src.close();
    expect(Number.isNaN(p.values[5])).toBe(true);
    expect(Number.isNaN(p.values[6])).toBe(true); // +Inf
    expect(p.values[8]).toBe(0);
    expect(Number.isFinite(p.min) && Number.isFinite(p.max)).toBe(true);
  });

  test('layouts; bad windows and scalars are refused with the tensor named', async () => {
    expect(planeLayout([])).toBeUndefined();
    expect(planeLayout([7])).toEqual({ lead: [], rows: 1, cols: 7 });
    expect(planeLayout([2, 3, 4, 5])).toEqual({ lead: [2, 3], rows: 4, cols: 5 });
    const f = await open(STATS_FILE);
    const known = f.tensor('known');
    expect((await artifactError(() => readPlane(f.src, known, { lead: [2], maxRows: 4, maxCols: 4 }))).message).toMatch(/"known": index 2 is outside axis 0 of size 2/);
    expect((await artifactError(() => readPlane(f.src, known, { lead: [], maxRows: 4, maxCols: 4 }))).message).toMatch(/needs 1 leading indices/);
    expect((await artifactError(() => readPlane(f.src, known, { lead: [0], r0: 3, r1: 9, maxRows: 4, maxCols: 4 }))).message).toMatch(/not inside 4 × 6/);
    expect((await artifactError(() => readPlane(f.src, f.tensor('scalar'), { lead: [], maxRows: 4, maxCols: 4 }))).message).toMatch(/scalar has no plane/);
    // Whatever the request asks, the output stays under the cell limit.
    const big = await readPlane(f.src, f.tensor('f32_special'), { lead: [0], maxRows: 1e9, maxCols: 1e9 });
    expect(big.outRows * big.outCols).toBeLessThanOrEqual(MAX_PLANE_CELLS);
    await f.src.close();
  });
});

describe('compareTensors', () => {
  const store = join(TENSORS, 'store');
  const file = (id: string) => join(store, `${id}.safetensors`);

  test('per-step cosine and L2, overall values and A − B agree with numpy', async () => {
    const a = await open(file(storeExpected.a)), b = await open(file(storeExpected.b));
    const c = await compareTensors({ src: a.src, tensor: a.header.tensors[0] }, { src: b.src, tensor: b.header.tensors[0] }, { lead: [0], maxRows: 1000, maxCols: 1000 });
    await a.src.close(); await b.src.close();
    expect(c.steps).toEqual(Array.from({ length: 32 }, (_, i) => i));
    c.cosine.forEach((v, i) => expect(v).toBeCloseTo(storeExpected.cosine[i], 5));
    c.l2.forEach((v, i) => expect(v).toBeCloseTo(storeExpected.l2[i], 5));
    expect(c.overall.cosine).toBeCloseTo(storeExpected.overallCosine, 5);
    expect(c.overall.l2).toBeCloseTo(storeExpected.overallL2, 4);
    const diff: number[][] = storeExpected.diff;
    expect([c.diff.outRows, c.diff.outCols]).toEqual([32, 8]);
    for (let r = 0; r < 32; r++) for (let k = 0; k < 8; k++) expect(c.diff.values[r * 8 + k]).toBeCloseTo(diff[r][k], 5);
  });

  test('different shapes are refused naming both files', async () => {
    const ids = storeExpected.ids;
    const a = await open(file(ids.final)), b = await open(file(ids.other));
    const err = await artifactError(() => compareTensors({ src: a.src, tensor: a.header.tensors[0] }, { src: b.src, tensor: b.header.tensors[0] }, { lead: [0], maxRows: 10, maxCols: 10 }));
    await a.src.close(); await b.src.close();
    expect(err.message).toContain(ids.final);
    expect(err.message).toContain(ids.other);
    expect(err.message).toMatch(/shapes differ: \[1, 32, 8\] and \[1, 16, 8\]/);
  });
});
