import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discoverRuns } from '../../../src/domain/runs/discover';
import { formatBytes } from '../../../src/domain/format';
import { ITEM_LIMIT } from '../../../src/domain/runs/model';
import { stepRange, summarizeRun } from '../../../src/domain/runs/summarize';
import { FIXTURE_WORKSPACE, tempDir } from '../helpers';

const LAYOUTS = join(__dirname, '..', '..', 'fixtures', 'layouts');
const WALL = 1763700000;

describe('summarizeRun on the fixture runs', async () => {
  const { runs } = await discoverRuns([FIXTURE_WORKSPACE, LAYOUTS]);
  const byKind = Object.fromEntries(runs.map((r) => [r.kind, r]));

  test('lightning run: snapshots (latest step), eval audio by step, checkpoints with sizes', async () => {
    const s = await summarizeRun(byKind.lightning);
    expect(s.warnings).toEqual([]);
    expect(s.groups.map((g) => [g.kind, g.count, g.detail])).toEqual([
      ['scalars', 1, '1 event file'],
      ['snapshots', 3, 'steps 50–150, latest 150'],
      ['evalSteps', 2, 'steps 0–100'],
      ['checkpoints', 1, expect.stringMatching(/^\d+(\.\d)? KiB$/)],
    ]);
    const evals = s.groups.find((g) => g.kind === 'evalSteps')!.items!;
    expect(evals.map((i) => [i.label, i.detail])).toEqual([['step 0', '1 sample · 2 WAVs'], ['step 100', '1 sample · 2 WAVs']]);
    expect(s.groups.find((g) => g.kind === 'checkpoints')!.items![0]).toMatchObject({ label: 'epoch=0-step=100_lora', path: join(byKind.lightning.path, 'checkpoints', 'epoch=0-step=100_lora') });
  });

  test('episode run: each episode with steps, reward and similarity from the log head', async () => {
    const s = await summarizeRun(byKind.episodes);
    const g = s.groups[0];
    expect([g.kind, g.count, g.detail]).toEqual(['episodes', 2, '0 of 2 solved']);
    expect(g.items!.map((i) => i.label)).toEqual(['episode 0', 'episode 1']);
    expect(g.items![0].detail).toMatch(/^4 steps · reward -?\d+\.\d\d · similarity \d\.\d\d · arc_000 · 4 images$/);
    expect(g.items![1].detail).toMatch(/^3 steps · reward .* · arc_037( · \d+ images)?$/); // gzipped
  });

  test('latent store: pinned, expiring soon and orphaned, with ids to copy', async () => {
    const s = await summarizeRun(byKind.latents, { latentTtlHours: 24, nowMs: (WALL + 23.5 * 3600) * 1000 });
    const g = s.groups[0];
    expect([g.kind, g.count, g.detail]).toEqual(['latents', 3, '1 pinned, 2 expiring soon, 1 orphaned']);
    const orphan = g.items!.find((i) => i.warning?.startsWith('orphaned'))!;
    expect(orphan.warning).toBe('orphaned: the tensor file is missing');
    expect(orphan.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(g.items!.find((i) => i.detail?.includes('pinned'))!.detail).toBe('generate · final · [1×8×4] · pinned');
    expect(g.items!.filter((i) => i.detail?.includes('expires in 30 min'))).toHaveLength(2);
  });

  test('gallery, clips and an image series', async () => {
    const gallery = (await summarizeRun(byKind.gallery)).groups[0];
    expect([gallery.kind, gallery.count]).toEqual(['images', 4]);
    expect(gallery.items!.map((i) => i.id)).toEqual(['00000000-4b43-4c59-9d0a-8f1f5b0b7a10', '00000001-4b43-4c59-9d0a-8f1f5b0b7a11', '00000002-4b43-4c59-9d0a-8f1f5b0b7a12', '00000003-4b43-4c59-9d0a-8f1f5b0b7a13']);
    const clips = (await summarizeRun(byKind.clips)).groups[0];
    expect([clips.kind, clips.count, clips.items!.map((i) => i.label)]).toEqual(['clips', 2, ['scene_1.mp4', 'scene_2.webm']]);
    expect(clips.bytes).toBeGreaterThan(1000);
    const frames = (await summarizeRun(byKind.series)).groups[0];
    expect([frames.kind, frames.count, frames.detail]).toEqual(['frames', 4, 'steps 0–100']);
  });

  test('a run whose folder vanished gives an empty group and no exception', async () => {
    const s = await summarizeRun({ ...byKind.episodes, path: join(FIXTURE_WORKSPACE, 'gone') });
    expect(s.groups).toEqual([expect.objectContaining({ kind: 'episodes', count: 0 })]);
  });
});

test('more checkpoints than the list holds: the newest are listed (Inspect Latest opens the last), the rest counted', async () => {
  const run = tempDir();
  for (let step = 1; step <= ITEM_LIMIT + 2; step++) mkdirSync(join(run, 'checkpoints', `epoch=0-step=${step * 10}_lora`), { recursive: true });
  const s = await summarizeRun({ path: run, name: 'r', kind: 'lightning', root: run, modifiedMs: 0 });
  const ckpts = s.groups.find((g) => g.kind === 'checkpoints')!;
  expect([ckpts.count, ckpts.items!.length, ckpts.moreItems]).toEqual([ITEM_LIMIT + 2, ITEM_LIMIT, 2]);
  expect(ckpts.items![0].label).toBe('epoch=0-step=30_lora');
  expect(ckpts.items!.at(-1)!.label).toBe(`epoch=0-step=${(ITEM_LIMIT + 2) * 10}_lora`);
});

test('stepRange orders numerically, not as text', () => {
  expect(stepRange([950, 1000, 50])).toBe('steps 50–1000');
  expect(stepRange([7])).toBe('step 7');
  expect(stepRange([])).toBeUndefined();
});

test('formatBytes', () => {
  expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1048576), formatBytes(123 * 1073741824)]).toEqual(['512 B', '2.0 KiB', '5.0 MiB', '123 GiB']);
});
