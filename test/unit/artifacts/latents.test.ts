import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { groupGenerations, latentExpiry, scanLatentStore, ttlHoursFromEnv } from '../../../src/domain/artifacts/latents';
import { readSafetensorsHeader } from '../../../src/domain/artifacts/safetensors';
import { FIXTURE_WORKSPACE, realProducer, tempDir } from '../helpers';

const STORE = join(FIXTURE_WORKSPACE, 'latents');
const WALL = 1763700000; // created_at of every fixture record
const hours = (h: number) => (WALL + h * 3600) * 1000;

test('records, pinning, orphans and expiry', async () => {
  const store = await scanLatentStore(STORE, { ttlHours: 24, nowMs: hours(23.5) });
  expect(store.entries).toHaveLength(3);
  const pinned = store.entries.find((e) => e.record?.pinned)!;
  expect(pinned.record).toMatchObject({ dtype: 'float32', shape: [1, 8, 4], modelVariant: 'acestep-v15-base', stageType: 'generate', isCheckpoint: false, checkpointStep: null, batchSize: 1 });
  expect(pinned.expiry).toEqual({ expiresAtMs: null, expired: false, expiresSoon: false });
  const bf16 = store.entries.find((e) => e.record?.dtype === 'bfloat16')!;
  expect(bf16.expiry).toEqual({ expiresAtMs: hours(24), expired: false, expiresSoon: true });
  expect(bf16.record!.params).toMatchObject({ caption: 'dreamy synthwave, 110 bpm' });
  const orphan = store.entries.find((e) => e.orphan)!;
  expect([orphan.orphan, orphan.tensorPath, orphan.record?.id]).toEqual(['no_tensor', undefined, orphan.id]);
  const later = await scanLatentStore(STORE, { ttlHours: 24, nowMs: hours(25) });
  expect(later.entries.filter((e) => e.expiry?.expired).length).toBe(2);
});

test('TTL from ACE_LATENT_TTL_HOURS, default 24', () => {
  expect(ttlHoursFromEnv({})).toBe(24);
  expect(ttlHoursFromEnv({ ACE_LATENT_TTL_HOURS: '6' })).toBe(6);
  expect(ttlHoursFromEnv({ ACE_LATENT_TTL_HOURS: 'soon' })).toBe(24);
  expect(latentExpiry({ createdAt: WALL, pinned: false }, 0, hours(0))).toMatchObject({ expired: true });
});

// The real store (matlowai/sonaturgy latent_store.py) in its JSON eras: ids are
// uuid4().hex[:12]; 9f719a3 adds schedule and stores a generation's checkpoints after its finals.
describe.each([
  ['29666d9', 7, false],
  ['9f719a3', 11, true],
])('the real latent store at %s', (era, records, hasCheckpoints) => {
  const dir = realProducer('acestep', 'latents', era, 'web_tmp', 'latents');

  test('every record is found under its 12-hex id, with all its fields', async () => {
    const store = await scanLatentStore(dir, { ttlHours: 24, nowMs: Date.now() });
    expect(store.entries).toHaveLength(records);
    for (const e of store.entries) {
      expect(e.id).toMatch(/^[0-9a-f]{12}$/);
      expect([e.error, e.orphan]).toEqual([undefined, undefined]);
      const raw = JSON.parse(readFileSync(join(dir, `${e.id}.json`), 'utf8'));
      expect(e.record).toMatchObject({
        id: raw.id, shape: raw.shape, dtype: raw.dtype, modelVariant: raw.model_variant, stageType: raw.stage_type, isCheckpoint: raw.is_checkpoint,
        checkpointStep: raw.checkpoint_step, totalSteps: raw.total_steps, createdAt: raw.created_at, pinned: raw.pinned, pipelineId: raw.pipeline_id, stageIndex: raw.stage_index,
        schedule: raw.schedule ?? undefined, batchSize: raw.batch_size,
      });
    }
    expect(store.entries.some((e) => e.record!.isCheckpoint)).toBe(hasCheckpoints);
  });

  test('generations: a pipeline\'s stages together, and each request\'s finals with its checkpoints', async () => {
    const store = await scanLatentStore(dir, { ttlHours: 24, nowMs: Date.now() });
    const groups = groupGenerations(store.entries);
    const raw = (id: string) => JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
    // Every pipeline's stages in one group, in stage order.
    const pipelines = new Set(store.entries.map((e) => e.record!.pipelineId).filter(Boolean));
    expect(pipelines.size).toBe(1);
    for (const p of pipelines) {
      const g = groups.filter((x) => x.some((e) => e.record!.pipelineId === p));
      expect(g).toHaveLength(1);
      expect(g[0].map((e) => [e.record!.stageType, e.record!.stageIndex])).toEqual([['generate', 0], ['refine', 1]]);
    }
    // Records stored in the same second for one caption form one generation, checkpoints first.
    for (const g of groups) {
      const captions = new Set(g.map((e) => raw(e.id).params.caption));
      expect(captions.size).toBe(1);
      const steps = g.map((e) => (e.record!.isCheckpoint ? e.record!.checkpointStep : 'final'));
      expect(steps).toEqual([...steps].sort((a, b) => (a === 'final' ? 1 : 0) - (b === 'final' ? 1 : 0)));
    }
    const byCaption = new Map<string, number>();
    for (const e of store.entries) byCaption.set(raw(e.id).params.caption, (byCaption.get(raw(e.id).params.caption) ?? 0) + 1);
    expect(groups.length).toBe(byCaption.size);
  });
});

test('the LMDB-era store (2239c92): every record read from metadata.lmdb without its lock, matching its tensor', async () => {
  const dir = realProducer('acestep', 'latents', '2239c92', 'web_tmp', 'latents');
  const store = await scanLatentStore(dir, { ttlHours: 24, nowMs: Date.now() });
  expect(store.entries).toHaveLength(11);
  for (const e of store.entries) {
    expect([e.orphan, e.error, e.recordIn]).toEqual([undefined, undefined, join(dir, 'metadata.lmdb')]);
    // The record's shape and dtype are the tensor file's own (read from its header, independently).
    const h = await readSafetensorsHeader(e.tensorPath!);
    expect(e.record!.shape).toEqual(h.tensors.find((t) => t.name === 'latent')!.shape);
    expect(e.record!.dtype).toBe({ F32: 'float32', BF16: 'bfloat16' }[h.tensors[0].dtype]);
    expect(e.record!.id).toBe(e.id);
  }
  const r = store.entries.find((e) => e.id === '02f2a4c27804')!.record!;
  expect([r.modelVariant, r.stageType, r.isCheckpoint, r.totalSteps, r.params.caption]).toEqual(['acestep-v15-base', 'generate', false, 8, 'lofi piano, rain']);
  // FORMATS.md: a pinned final and a pair's pinned first record, a two-stage pipeline, two checkpoints (step 4 of 8) for each of two generations.
  const records = store.entries.map((e) => e.record!);
  expect(records.filter((x) => x.pinned)).toHaveLength(2);
  const pipeline = records.filter((x) => x.pipelineId);
  expect(new Set(pipeline.map((x) => x.pipelineId)).size).toBe(1);
  expect(pipeline.map((x) => [x.stageIndex, x.stageType]).sort()).toEqual([[0, 'generate'], [1, 'refine']]);
  expect(records.filter((x) => x.isCheckpoint).map((x) => x.checkpointStep).sort()).toEqual([4, 4, 4, 4]);
  expect(groupGenerations(store.entries)).toHaveLength(4);
});

test('LMDB: a corrupt or cut data.mdb names the file and the problem; tensors stay listed', async () => {
  const { copyWritable } = await import('../../copyTree');
  const { writeFileSync } = await import('node:fs');
  const dir = copyWritable(realProducer('acestep', 'latents', '2239c92', 'web_tmp', 'latents'), join(tempDir(), 'latents'));
  const data = join(dir, 'metadata.lmdb', 'data.mdb');
  const bytes = readFileSync(data);
  writeFileSync(data, bytes.subarray(0, 100));
  let store = await scanLatentStore(dir);
  expect(store.entries).toHaveLength(11);
  expect(store.entries[0].error?.message).toMatch(/metadata\.lmdb\/data\.mdb: LMDB file of 100 bytes has no room for its two meta pages/);
  const bad = Buffer.from(bytes);
  bad.writeUInt32LE(0, 16); // meta 0 magic
  writeFileSync(data, bad);
  store = await scanLatentStore(dir);
  expect(store.entries[0].error?.code).toBe('bad_magic');
  // A branch or leaf pointer past the end: every page after the metas, zeroed.
  const cut = Buffer.from(bytes);
  cut.fill(0xff, 2 * 4096);
  writeFileSync(data, cut);
  store = await scanLatentStore(dir);
  expect(store.entries[0].error?.message).toMatch(/data\.mdb: LMDB page \d+ is not a branch or leaf page \(flags 0xffff\): the file is damaged$/);
});
