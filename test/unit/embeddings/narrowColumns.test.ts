// A step's columns cross to the page in the fewest bytes that hold them exactly.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { categoryColumn, narrowCodes, narrowNumbers, textAt, type SpaceData } from '../../../src/protocol/embeddings';
import { shareEqualColumns } from '../../../src/domain/embeddings/timeline';

test('any numbers narrow to a type that gives back each one exactly (NaN and -0 included)', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.double(), fc.integer({ min: -300, max: 70_000 }), fc.constant(NaN), fc.constant(-0), fc.float().map(Math.fround)), { maxLength: 50 }), (values) => {
    const narrow = narrowNumbers(Float64Array.from(values));
    expect(narrow.length).toBe(values.length);
    values.forEach((v, i) => expect(Object.is(narrow[i], v)).toBe(true));
  }));
});

test('numbers take the smallest type: a step column is bytes, a float column stays a float', () => {
  expect(narrowNumbers(Float64Array.of(100, 100, 0)).constructor).toBe(Uint8Array);
  expect(narrowNumbers(Float64Array.of(1, 65_535)).constructor).toBe(Uint16Array);
  expect(narrowNumbers(Float64Array.of(-1, 7)).constructor).toBe(Int32Array);
  expect(narrowNumbers(Float64Array.of(1, NaN)).constructor).toBe(Float32Array);
  expect(narrowNumbers(Float64Array.of(0.5, -0)).constructor).toBe(Float32Array);
  expect(narrowNumbers(Float64Array.of(0.1)).constructor).toBe(Float64Array);
  expect(narrowNumbers(Float64Array.of(2 ** 31)).constructor).toBe(Float32Array);
});

test('category codes are bytes for up to 256 names, then 16 bits, then 32', () => {
  expect(narrowCodes(Uint32Array.of(0, 255), 256).constructor).toBe(Uint8Array);
  expect(narrowCodes(Uint32Array.of(0, 256), 257).constructor).toBe(Uint16Array);
  expect(narrowCodes(Uint32Array.of(70_000), 70_001).constructor).toBe(Uint32Array);
  const col = categoryColumn('label', Array.from({ length: 300 }, (_, i) => `c${i % 257}`));
  expect(col.kind === 'category' && [col.codes.constructor, col.codes[256], col.codes[257]]).toEqual([Uint16Array, 256, 0]);
});

test("the spaces' equal columns become one array; a column that differs keeps its own", () => {
  const space = (name: string, ids: number[], label: string[]): SpaceData => ({
    name, x: new Float32Array(ids.length), y: new Float32Array(ids.length), ids: Uint32Array.from(ids), links: Uint32Array.from(ids),
    fields: [categoryColumn('sample_id', ids.map(String)), categoryColumn('label', label), { name: 'step', kind: 'number', values: narrowNumbers(Float64Array.of(...ids.map(() => 5))) }],
  });
  const spaces = [space('latent', [0, 1, 2], ['a', 'b', 'a']), space('lora', [0, 1, 2], ['a', 'b', 'b']), space('prompt', [2, 1, 0], ['a', 'b', 'a'])];
  shareEqualColumns(spaces);
  const [a, b, c] = spaces;
  expect(b.ids).toBe(a.ids);
  expect(b.links).toBe(a.links);
  expect(c.ids).not.toBe(a.ids);
  expect(Array.from(c.ids!)).toEqual([2, 1, 0]);
  const f = (s: SpaceData, k: number) => s.fields[k] as Extract<SpaceData['fields'][number], { kind: 'category' }>;
  expect(f(b, 0).codes).toBe(f(a, 0).codes);
  expect(f(b, 0).categories.utf8).toBe(f(a, 0).categories.utf8);
  expect(f(b, 1).codes).not.toBe(f(a, 1).codes);
  expect(Array.from(f(b, 1).codes)).toEqual([0, 1, 1]);
  expect(f(c, 1).codes).toBe(f(a, 1).codes);
  expect(c.fields[2].kind === 'number' && c.fields[2].values).toBe(a.fields[2].kind === 'number' && a.fields[2].values);
  // prompt's sample ids are listed in another order: the same codes, other names.
  expect(f(c, 0).codes).toBe(f(a, 0).codes);
  expect(f(c, 0).categories.utf8).not.toBe(f(a, 0).categories.utf8);
  expect([textAt(f(c, 0).categories, 0), textAt(f(a, 0).categories, 0)]).toEqual(['2', '0']);
});
