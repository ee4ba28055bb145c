import { join } from 'node:path';
import { expect, test } from 'vitest';
import { latentExpiry, scanLatentStore, ttlHoursFromEnv } from '../../../src/domain/artifacts/latents';
import { FIXTURE_WORKSPACE } from '../helpers';

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
