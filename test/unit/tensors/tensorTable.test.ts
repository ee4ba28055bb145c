// The Tensor Inspector's table for npy and npz (the format owners' files in ../shared/corpora;
// values as numpy loads them, from test/conformance/expected.json), read by byte range.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readTensorFloat32 } from '../../../src/domain/artifacts/safetensors';
import { FileSource } from '../../../src/domain/artifacts/source';
import { readTensorTable } from '../../../src/domain/tensors/tensorTable';
import { SHARED } from '../helpers';

const numpy = (...p: string[]) => join(SHARED, 'corpora', 'numpy', ...p);

async function table(path: string) {
  const src = await FileSource.open(path);
  const t = await readTensorTable(src);
  const first = async (i: number, n = 5) => Array.from(await readTensorFloat32(src, t.tensors[i], 0, Math.min(n, t.tensors[i].count)));
  return { t, first, close: () => src.close() };
}

test('an .npy is one tensor at its data offset; Fortran order shows the transposed array', async () => {
  const c = await table(numpy('test_format-basic', 'le-f4_2d_c.npy'));
  expect(c.t.format).toBe('npy');
  expect(c.t.tensors.map((x) => [x.name, x.dtype, x.shape])).toEqual([['array', 'F32', [30, 50]]]);
  expect(await c.first(0)).toEqual([0, 1, 2, 3, 4]);
  await c.close();
  const f = await table(numpy('test_format-basic', 'le-f8_2d_f.npy'));
  expect(f.t.tensors.map((x) => [x.name, x.dtype, x.shape])).toEqual([['array (transposed: Fortran order)', 'F64', [30, 50]]]);
  // numpy: a[0, 0], a[0, 1], a[0, 2] = 0, 50, 100 (a.ravel()); shown transposed, T[j, i] = a[i, j].
  const t = await f.first(0, 50 * 30);
  expect([t[0 * 50 + 0], t[1 * 50 + 0], t[2 * 50 + 0], t[0 * 50 + 1]]).toEqual([0, 50, 100, 1]);
  await f.close();
});

test('a big-endian .npy is listed with why its values are not read by range', async () => {
  const b = await table(numpy('test_format-basic', 'be-f4_1d.npy'));
  expect([b.t.tensors, b.t.notes]).toEqual([[], ['array: big-endian >f4: values are not read by range']]);
  await b.close();
});

test('an .npz: stored members by range, compressed ones inflated when shown', async () => {
  const s = await table(numpy('npz', 'stored_two_members.npz'));
  expect(s.t.format).toBe('npz');
  expect(s.t.tensors.map((x) => [x.name, x.dtype, x.shape])).toEqual([['first', 'I16', [2, 3]], ['second', 'F64', [2]]]);
  expect(await s.first(0)).toEqual([0, 1, 2, 3, 4]);
  expect(await s.first(1)).toEqual([1.5, -2.25]);
  await s.close();
  const src = await FileSource.open(numpy('npz', 'compressed_roundtrip.npz'));
  const z = await readTensorTable(src);
  expect([z.tensors.map((x) => [x.name, x.dtype, x.shape]), z.notes]).toEqual([[['arr', 'F64', [200, 200]]], []]);
  const member = await z.inflated!.get('arr')!(src);
  expect(Array.from(await readTensorFloat32(member, z.tensors[0], 0, 2))).toEqual([0.9766997666981422, 0.3801957350196178].map(Math.fround));
  await src.close();
});
