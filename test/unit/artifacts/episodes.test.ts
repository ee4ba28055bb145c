import { join } from 'node:path';
import { expect, test } from 'vitest';
import { listEpisodeFolder, readEpisodeLog, resolveStepImage } from '../../../src/domain/artifacts/episodes';
import { FIXTURE_WORKSPACE } from '../helpers';

const RUN = join(FIXTURE_WORKSPACE, 'outputs', 'episodes', 'arc_run');

test('full-state log: grids, actions, rewards, images resolved inside the run', async () => {
  const folder = await listEpisodeFolder(join(RUN, 'episode_0000'));
  expect(folder.logs).toHaveLength(1);
  expect(folder.images.map((i) => [i.step, i.format])).toEqual([[0, 'png'], [1, 'png'], [2, 'png'], [3, 'png']]);
  const log = await readEpisodeLog(folder.logs[0], RUN);
  expect(log).toMatchObject({ episodeNum: 0, taskId: 'arc_000', totalSteps: 4, warnings: [] });
  expect(log.steps).toHaveLength(4);
  let sum = 0;
  for (const [i, s] of log.steps.entries()) {
    expect(s.reduced).toBe(false);
    expect([s.before!.height, s.before!.width, s.after!.height, s.target!.width]).toEqual([5, 5, 5, 5]);
    expect(s.imagePath).toBe(join(RUN, 'episode_0000', `step_00${i}.png`));
    expect(typeof s.operationName).toBe('string');
    // Cells change only inside the selection mask.
    for (let k = 0; k < 25; k++) if (s.before!.cells[k] !== s.after!.cells[k]) expect(s.selection!.cells[k]).toBe(1);
    if (i > 0) expect(Array.from(s.before!.cells)).toEqual(Array.from(log.steps[i - 1].after!.cells));
    sum += s.reward!;
  }
  expect(log.totalReward).toBeCloseTo(sum, 3);
  expect(log.finalSimilarity).toBe(log.steps[3].similarity);
});

test('gzipped reduced-state log: no grids, shapes and a selection box', async () => {
  const folder = await listEpisodeFolder(join(RUN, 'episode_0001'));
  expect(folder.logs[0]).toMatch(/episode_0001_\d{8}_\d{6}\.json\.gz$/);
  expect(folder.images.map((i) => i.format)).toEqual(['svg', 'svg', 'svg']);
  const log = await readEpisodeLog(folder.logs[0], RUN);
  expect(log.steps.map((s) => [s.reduced, s.gridShape, s.before])).toEqual([[true, [5, 5], undefined], [true, [5, 5], undefined], [true, [5, 5], undefined]]);
  expect(log.steps[0].selectionBox).toHaveLength(4);
});

test.each([
  ['outputs/episodes/arc_run/episode_0002/step_001.png', join(RUN, 'episode_0002', 'step_001.png')],
  ['step_004.svg', join(RUN, 'episode_0002', 'step_004.svg')],
  [join(RUN, 'episode_0002', 'step_009.png'), join(RUN, 'episode_0002', 'step_009.png')],
  ['../../../../etc/passwd', undefined],
  ['/etc/passwd', undefined],
  ['episode_0002/../../../../secret.png', undefined],
  ['outputs/episodes/arc_run/episode_0002/../../../x.png', undefined],
  ['', undefined],
  [42, undefined],
])('visualization_path %j stays inside the run folder', (logged, expected) => {
  expect(resolveStepImage(logged, RUN, join(RUN, 'episode_0002'))).toBe(expected);
});
