import { describe, expect, test } from 'vitest';
import { withNpz } from '../../../src/domain/artifacts/npz';
import { artifactError, fmt, FIXTURE_WORKSPACE } from '../helpers';
import { join } from 'node:path';

describe.each(['stored', 'deflated', 'zip64', 'descriptors'])('%s.npz', (name) => {
  test('lists members and decodes each', async () => {
    await withNpz(fmt('npz', `${name}.npz`), async (npz) => {
      expect(npz.members.map((m) => m.key)).toEqual(['a', 'b', 'c']);
      expect(Array.from((await npz.read('a')).data.values as Float32Array)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect((await npz.read('b')).data.values).toEqual(['x', 'y']);
      const c = await npz.read('c');
      expect(c.shape).toEqual([3, 3]);
      expect(Array.from(c.data.values as Float64Array)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      expect(await npz.header('c')).toMatchObject({ shape: [3, 3], dtype: { descr: '<f8' } });
    });
  });
});

test('a hostile object member is refused while the rest of the archive loads', async () => {
  await withNpz(fmt('npz', 'mixed_evil.npz'), async (npz) => {
    expect(npz.members.map((m) => m.key)).toEqual(['good', 'evil']);
    expect(Array.from((await npz.read('good')).data.values as BigInt64Array)).toEqual([0n, 1n, 2n, 3n]);
    const err = await artifactError(() => npz.read('evil'));
    expect(err.code).toBe('pickle_rejected');
    expect(err.message).toMatch(/mixed_evil\.npz\[evil\]: object array not displayed/);
  });
});

test("the producer's snapshot: three spaces with embeddings, projections and JSON metadata", async () => {
  const file = join(FIXTURE_WORKSPACE, 'lightning_logs', 'version_0', 'viz_snapshots', 'viz_step_100_embeddings.npz');
  await withNpz(file, async (npz) => {
    expect(npz.members.map((m) => m.key).sort()).toEqual([
      'latent_embeddings', 'latent_metadata', 'latent_projections_2d',
      'lora_embeddings', 'lora_metadata', 'lora_projections_2d',
      'prompt_embeddings', 'prompt_metadata', 'prompt_projections_2d',
    ]);
    const emb = await npz.read('latent_embeddings');
    expect([emb.shape, emb.dtype.descr]).toEqual([[60, 8], '<f4']);
    const proj = await npz.read('prompt_projections_2d');
    expect(proj.shape).toEqual([30, 2]);
    const meta = await npz.read('lora_metadata');
    expect(meta.shape).toEqual([40]);
    const first = JSON.parse(meta.data.values[0] as string);
    expect(first).toMatchObject({ step: 100, sample_idx: 0 });
    expect(typeof first.label).toBe('string');
  });
});

test('a missing member names what the archive has', async () => {
  await withNpz(fmt('npz', 'stored.npz'), async (npz) => {
    const err = await artifactError(() => npz.read('nope'));
    expect(err).toMatchObject({ code: 'not_found' });
    expect(err.message).toContain('it has a, b, c');
  });
});

test('opening an archive reads only its end record and directory, however large it is', async () => {
  const { zipBytes } = await import('./builders');
  const { MemorySource } = await import('../../../src/domain/artifacts/source');
  const { NpzArchive } = await import('../../../src/domain/artifacts/npz');
  const big = zipBytes(Array.from({ length: 4 }, (_, i) => ({ name: `m${i}.npy`, data: new Uint8Array(16 << 20) })));
  let bytesRead = 0;
  const src = new MemorySource('big.npz', big);
  const counting = { name: src.name, size: src.size, close: () => src.close(), read: (o: number, l: number, w?: string) => { bytesRead += l; return src.read(o, l, w); } };
  const npz = await NpzArchive.from(counting);
  expect(npz.members.map((m) => [m.key, m.entry.size])).toEqual([0, 1, 2, 3].map((i) => [`m${i}`, 16 << 20]));
  expect(big.length).toBeGreaterThan(64 << 20);
  expect(bytesRead).toBeLessThan(70_000); // the 64 KiB end-record window plus the directory
});
