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
