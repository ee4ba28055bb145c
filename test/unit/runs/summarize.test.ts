import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discoverRuns } from '../../../src/domain/runs/discover';
import { stepRange, summarizeRun } from '../../../src/domain/runs/summarize';
import { FIXTURE_WORKSPACE } from '../helpers';

describe('summarizeRun on the fixture runs', async () => {
  const { runs } = await discoverRuns([FIXTURE_WORKSPACE]);
  const byKind = Object.fromEntries(runs.map((r) => [r.kind, r]));

  test('lightning run: snapshots, eval steps and checkpoints with step ranges', async () => {
    const s = await summarizeRun(byKind.lightning);
    expect(s.warnings).toEqual([]);
    expect(s.groups.map((g) => [g.kind, g.count, g.detail])).toEqual([
      ['snapshots', 3, 'steps 50–150'],
      ['evalSteps', 2, 'steps 0–100'],
      ['checkpoints', 1, undefined],
    ]);
    expect(s.groups[0].path).toBe(join(byKind.lightning.path, 'viz_snapshots'));
  });

  test('episode run counts episode folders', async () => {
    const s = await summarizeRun(byKind.episodes);
    expect(s.groups).toEqual([expect.objectContaining({ kind: 'episodes', count: 2, detail: 'episodes 0–1' })]);
  });

  test('latent store counts tensors and flags the orphaned record', async () => {
    const s = await summarizeRun(byKind.latents);
    expect(s.groups).toEqual([expect.objectContaining({ kind: 'latents', count: 2, detail: '1 orphaned' })]);
  });

  test('a run whose folder vanished gives no groups and no exception', async () => {
    const s = await summarizeRun({ ...byKind.episodes, path: join(FIXTURE_WORKSPACE, 'gone') });
    expect(s.groups).toEqual([expect.objectContaining({ kind: 'episodes', count: 0 })]);
  });
});

test('stepRange orders numerically, not as text', () => {
  expect(stepRange([950, 1000, 50])).toBe('steps 50–1000');
  expect(stepRange([7])).toBe('step 7');
  expect(stepRange([])).toBeUndefined();
});
