import { expect, test } from 'vitest';
import { readSafetensorsHeader, readTensorFloat32 } from '../../../src/domain/artifacts/safetensors';
import { FileSource } from '../../../src/domain/artifacts/source';
import { fmt } from '../helpers';

test('every dtype decodes to the values written, with metadata', async () => {
  const file = fmt('safetensors', 'dtypes.safetensors');
  const h = await readSafetensorsHeader(file);
  expect({ ...h.metadata }).toEqual({ format: 'pt', note: 'fixture' });
  const src = await FileSource.open(file);
  try {
    const values = async (name: string) => Array.from(await readTensorFloat32(src, h.tensors.find((t) => t.name === name)!));
    for (const k of ['i1', 'i2', 'i4', 'i8']) expect(await values(`t_${k}`)).toEqual([-2, -1, 0, 1, 2, 3]);
    for (const k of ['u1', 'u2', 'u4', 'u8', 'f2', 'f8']) expect(await values(`t_${k}`)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await values('t_f4')).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect(await values('t_b1')).toEqual([1, 0, 1, 0, 0, 1]);
    expect(await values('t_bf16')).toEqual([1, -2.5, 3.140625, 0, 65280, -0.0078125]);
    expect(await values('t_f8e4m3')).toEqual([1, -2, 448, 2 ** -9]);
    expect(await values('t_f8e5m2')).toEqual([1, -3, 57344, Infinity]);
    const t = h.tensors.find((x) => x.name === 't_i8')!;
    expect([t.dtype, t.shape, t.count, t.end - t.begin]).toEqual(['I64', [2, 3], 6, 48]);
    expect(h.tensors.find((x) => x.name === 'empty')).toMatchObject({ shape: [0, 4], count: 0 });
  } finally {
    await src.close();
  }
});

test('a byte range of a tensor reads only those elements', async () => {
  const file = fmt('safetensors', 'latent.safetensors');
  const h = await readSafetensorsHeader(file);
  const t = h.tensors[0];
  expect([t.name, t.dtype, t.shape]).toEqual(['latent', 'F32', [2, 8, 4]]);
  const src = await FileSource.open(file);
  const whole = await readTensorFloat32(src, t);
  const slice = await readTensorFloat32(src, t, 32, 32); // batch item 1
  await src.close();
  expect(whole[0]).toBeCloseTo(-1, 6);
  expect(whole[63]).toBeCloseTo(1, 6);
  expect(Array.from(slice)).toEqual(Array.from(whole.subarray(32)));
});
