import { describe, expect, test } from 'vitest';
import { readNpy, readNpyHeader } from '../../../src/domain/artifacts/npy';
import { artifactError, fmt } from '../helpers';

const npy = (name: string) => readNpy(fmt('npy', `${name}.npy`));
const list = (v: ArrayLike<unknown>) => Array.from(v as ArrayLike<unknown>);

describe('numeric dtypes, both byte orders', () => {
  const ints = Array.from({ length: 12 }, (_, i) => i - 5);
  const uints = Array.from({ length: 12 }, (_, i) => i);
  test.each(['i1', 'i2', 'i4', 'i1_be', 'i2_be', 'i4_be'])('%s', async (name) => {
    const a = await npy(name);
    expect(a.shape).toEqual([3, 4]);
    expect(a.data.kind).toBe('number');
    expect(list(a.data.values)).toEqual(ints);
  });
  test.each(['u1', 'u2', 'u4', 'u1_be', 'u2_be', 'u4_be'])('%s', async (name) => {
    expect(list((await npy(name)).data.values)).toEqual(uints);
  });
  test.each(['i8', 'i8_be'])('%s as BigInt64', async (name) => {
    const a = await npy(name);
    expect(a.data.kind).toBe('bigint');
    expect(list(a.data.values)).toEqual(ints.map(BigInt));
  });
  test.each(['u8', 'u8_be'])('%s as BigUint64', async (name) => {
    expect(list((await npy(name)).data.values)).toEqual(uints.map(BigInt));
  });
  test.each(['f2', 'f4', 'f8', 'f2_be', 'f4_be', 'f8_be'])('%s', async (name) => {
    const a = await npy(name);
    expect(a.dtype.descr).toMatch(name.endsWith('_be') ? /^>f/ : /^<f/);
    expect(list(a.data.values)).toEqual(ints.map((i) => i / 4));
  });
});

test('bool', async () => {
  const a = await npy('bool');
  expect(a.data.kind).toBe('bool');
  expect(list(a.data.values)).toEqual([1, 0, 1, 1]);
});

test('complex64 and big-endian complex128, interleaved re/im', async () => {
  expect(list((await npy('c8')).data.values)).toEqual([0, 0, 1, 2, 2, 4, 3, 6]);
  expect(list((await npy('c16_be')).data.values)).toEqual([0, 0, 1, -1, 2, -2, 3, -3]);
});

test('fixed-width unicode (both orders) and bytes', async () => {
  expect((await npy('unicode')).data.values).toEqual(['ballad', 'rock', 'électro ♪', '']);
  expect((await npy('unicode_be')).data.values).toEqual(['ab', 'c']);
  const b = (await npy('bytes')).data.values as Uint8Array[];
  expect(b.map((x) => Buffer.from(x).toString('latin1'))).toEqual(['abc', '', 'xy\0z']);
});

test('Fortran order comes back in C order', async () => {
  const a2 = await npy('fortran2d');
  expect([a2.fortranOrder, a2.shape]).toEqual([true, [2, 3]]);
  expect(list(a2.data.values)).toEqual([0, 1, 2, 3, 4, 5]);
  const a3 = await npy('fortran3d');
  expect(a3.shape).toEqual([2, 3, 4]);
  expect(list(a3.data.values)).toEqual(Array.from({ length: 24 }, (_, i) => i));
});

test('0-d and empty arrays', async () => {
  const s = await npy('scalar0d');
  expect([s.shape, s.count, list(s.data.values)]).toEqual([[], 1, [3.5]]);
  const e = await npy('empty');
  expect([e.shape, e.count, e.data.values.length]).toEqual([[0, 5], 0, 0]);
});

test('format versions 2.0 and 3.0', async () => {
  for (const v of ['2', '3']) {
    const a = await npy(`v${v}`);
    expect(a.version).toBe(`${v}.0`);
    expect(list(a.data.values)).toEqual([0, 1, 2, 3, 4]);
  }
});

test('header only reads shape and dtype', async () => {
  const h = await readNpyHeader(fmt('npy', 'fortran3d.npy'));
  expect(h).toMatchObject({ shape: [2, 3, 4], count: 24, fortranOrder: true, dtype: { kind: 'i', itemsize: 2 } });
});

describe('object arrays (pickles)', () => {
  // Python's json.dumps spacing, byte for byte.
  const json = [0, 1, 2].map((i) => `{"step": 50, "label": "rock", "i": ${i}}`);
  test.each(['object_json', 'object_p2', 'object_p4', 'object_p5', 'object_numpy2'])('%s: JSON strings as numpy writes them', async (name) => {
    const a = await npy(name);
    expect(a.data.kind).toBe('object');
    expect(a.data.values).toEqual(json);
    expect(JSON.parse(a.data.values[2] as string)).toEqual({ step: 50, label: 'rock', i: 2 });
  });

  test('str, bytes, int, big int, float, bool and None', async () => {
    const v = (await npy('object_mixed')).data.values;
    expect(v).toEqual(['text', new Uint8Array(Buffer.from('raw\0bytes', 'latin1')), 7, -(2n ** 70n), 2.5, true, null]);
  });

  test('2-D object array keeps its shape', async () => {
    const a = await npy('object_2d');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data.values).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  test('a pickle that calls os.system is refused, naming the call, without running it', async () => {
    const err = await artifactError(() => npy('object_evil'));
    expect(err.code).toBe('pickle_rejected');
    expect(err.message).toMatch(/object_evil\.npy: object array not displayed: pickle references (posix|os)\.system, which Run Reel does not run/);
  });

  test('elements other than plain values are refused', async () => {
    const err = await artifactError(() => npy('object_nested'));
    expect(err.code).toBe('pickle_rejected');
    expect(err.message).toContain('element 0 is a list');
  });
});
