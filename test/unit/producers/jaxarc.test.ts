// JaxARC's real outputs (../shared/real-producers/jaxarc, FORMATS.md): both eras, every logger
// mode. Expected values are read off the files (numbers quoted from them, not computed by Run
// Reel): task ids from task_info, operation ids from info.operation_id, grids cropped to the
// target's non-padding cells.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readEpisodeLog, readEpisodeSummary } from '../../../src/domain/artifacts/episodes';
import { EpisodeReplaySession, locateEpisodeTarget } from '../../../src/domain/episodes/replaySession';
import {
  jaxBoolean, jaxNumber, parseNumpyText, readBatchMetrics, readEvaluationSummary, scanEpisodeRun,
} from '../../../src/domain/producers/jaxarc';
import { discoverRuns } from '../../../src/domain/runs/discover';
import { summarizeRun } from '../../../src/domain/runs/summarize';
import { copyWritable } from '../../copyTree';
import { realProducer, tempDir } from '../helpers';
import { fakeHost, last, until } from '../episodes/replayHost';

const V1 = realProducer('jaxarc', 'v1.0.2', 'outputs', 'research');
const V1_LOGS = join(V1, 'logs');
const V1_IMAGES = join(V1, 'run_20261201_191217');
const JULY = realProducer('jaxarc', '2025-07', 'outputs');
const ASYNC = join(JULY, 'async_defaults');
const GZ = join(JULY, 'sync_gz_full-states_jax-values');
const REDUCED = join(JULY, 'sync_json_reduced-states');

const rows = (g: { height: number; width: number; cells: ArrayLike<number> } | undefined) =>
  g ? Array.from({ length: g.height }, (_, y) => Array.from(g.cells).slice(y * g.width, (y + 1) * g.width)) : undefined;

describe('values as JAX and numpy wrote them', () => {
  test('numbers and booleans written as strings', () => {
    expect([jaxNumber('13'), jaxNumber('0.88'), jaxNumber('-1e-3'), jaxNumber(0.5), jaxNumber('nan'), jaxNumber('13 ops'), jaxNumber('')]).toEqual([13, 0.88, -0.001, 0.5, undefined, undefined, undefined]);
    expect([jaxBoolean('False'), jaxBoolean('True'), jaxBoolean(true), jaxBoolean('0'), jaxBoolean(undefined)]).toEqual([false, true, true, undefined, undefined]);
  });

  test('numpy str() arrays: rows from the brackets, not the lines; booleans; abbreviations refused', () => {
    expect(parseNumpyText('[[ 4  4 -1]\n [ 4\n  4 -1]]')).toEqual([[4, 4, -1], [4, 4, -1]]);
    expect(parseNumpyText('[[False  True]\n [ True False]]')).toEqual([[false, true], [true, false]]);
    expect(parseNumpyText('State(working_grid=i32[30,30])')).toBeUndefined();
    expect(parseNumpyText('[[1 2] [3 x]]')).toBeUndefined();
    expect(parseNumpyText('[[[1]]]')).toBeUndefined();
    expect(() => parseNumpyText('[[0 0 ... 0 0]]')).toThrow(/abbreviated/);
  });
});

describe('v1.0.2: flat logs/ beside a run_* image tree', () => {
  test('discovered as one run, the base folder', async () => {
    const { runs } = await discoverRuns([realProducer('jaxarc', 'v1.0.2')]);
    expect(runs.map((r) => [r.path, r.kind])).toEqual([[V1, 'episodes']]);
    for (const p of [join(V1_LOGS, 'episode_0000_20261201_191221.json'), join(V1_IMAGES, 'episode_0001'), join(V1_LOGS, 'batch_metrics.jsonl')]) {
      expect((await locateEpisodeTarget(p)).run).toBe(V1);
    }
    expect(await locateEpisodeTarget(join(V1_LOGS, 'batch_metrics.jsonl'))).toEqual({ run: V1 });
  });

  test('each log paired with its SVG episode folder by episode number; pickles and run files found', async () => {
    const layout = await scanEpisodeRun(V1);
    expect(layout.episodes.map((e) => [e.episodeNum, e.log && e.log.slice(V1.length + 1), e.pickle?.slice(V1.length + 1), e.imagesDir?.slice(V1.length + 1), e.images.length])).toEqual([
      [0, 'logs/episode_0000_20261201_191221.json', 'logs/episode_0000_20261201_191221.pkl', 'run_20261201_191217/episode_0000', 8],
      [1, 'logs/episode_0001_20261201_191222.json', 'logs/episode_0001_20261201_191222.pkl', 'run_20261201_191217/episode_0001', 6],
      [2, 'logs/episode_0002_20261201_191225.json', 'logs/episode_0002_20261201_191225.pkl', 'run_20261201_191217/episode_0002', 2],
    ]);
    expect(layout.extras).toEqual({ batchMetrics: join(V1_LOGS, 'batch_metrics.jsonl'), evaluationSummary: join(V1_LOGS, 'evaluation_summary.json'), episodeConfigs: [join(V1_IMAGES, 'episode_config.json')] });
  });

  test('summaries after the long step_data: real task ids, totals, solved from final similarity 1', async () => {
    const s = await Promise.all(readdirSync(V1_LOGS).filter((n) => n.endsWith('.json') && n.startsWith('episode')).sort().map((n) => readEpisodeSummary(join(V1_LOGS, n))));
    expect(s.map((x) => [x.episodeNum, x.taskId, x.totalSteps, x.success])).toEqual([[0, '68b16354', 8, false], [1, 'b1948b0a', 6, false], [2, '3c9b0459', 2, true]]);
    expect(s[0].finalSimilarity).toBeCloseTo(0.8799999952316284, 12);
    expect(s[1].totalReward).toBeCloseTo(-0.3155555594712496, 12);
  });

  test('steps: numpy-text grids cropped by the target padding, operation ids, string actions', async () => {
    const log = await readEpisodeLog(join(V1_LOGS, 'episode_0002_20261201_191225.json'), V1);
    expect(log.taskId).toBe('3c9b0459');
    expect(log.steps.map((s) => [s.stepNum, s.operation, s.operationName])).toEqual([[1, 4, 'Fill 4'], [2, 34, 'Submit']]);
    expect(rows(log.steps[0].before)).toEqual([[0, 3, 0], [7, 0, 0], [0, 0, 0]]);
    expect(rows(log.steps[0].target)).toEqual([[4, 4, 4], [4, 4, 4], [4, 4, 4]]);
    expect(rows(log.steps[1].after)).toEqual([[4, 4, 4], [4, 4, 4], [4, 4, 4]]);
    expect(log.steps[0].similarity).toBe(1);
    const ep0 = await readEpisodeLog(join(V1_LOGS, 'episode_0000_20261201_191221.json'), V1);
    expect(ep0.steps.map((s) => s.operation)).toEqual([13, 9, 4, 13, 31, 23, 32, 34]);
    expect([ep0.steps[0].before!.height, ep0.steps[0].before!.width]).toEqual([10, 10]);
    expect(rows(ep0.steps[0].before)![9]).toEqual([6, 6, 6, 6, 6, 6, 2, 6, 6, 6]);
    expect(rows(ep0.steps[0].target)![3]).toEqual([1, 1, 0, 0, 1, 1, 1, 0, 0, 0]);
    // The selection is numpy text of booleans too, cut to the same cells.
    expect(ep0.steps[0].selection!.cells.length).toBe(100);
  });

  test('replay: the list, the real task id, grids and the paired step SVG; run files sent', async () => {
    const { posts, host } = fakeHost();
    const session = new EpisodeReplaySession(V1, host);
    await session.handle({ type: 'ready' });
    await until(() => last(posts, 'episode')?.info.indexing === false && !!last(posts, 'step') && !!last(posts, 'runFiles'));
    const items = last(posts, 'episodes')!.items;
    expect(items.map((i) => [i.episodeNum, i.taskId, i.steps, i.success, i.images])).toEqual([[0, '68b16354', 8, false, 8], [1, 'b1948b0a', 6, false, 6], [2, '3c9b0459', 2, true, 2]]);
    const info = last(posts, 'episode')!.info;
    expect(info).toMatchObject({ episodeNum: 2, taskId: '3c9b0459', stepCount: 2, mode: 'grids', success: true, finalSimilarity: 1 });
    expect(info.files).toEqual([join(V1_LOGS, 'episode_0002_20261201_191225.json'), join(V1_IMAGES, 'episode_0002')]);
    const step = last(posts, 'step')!.view;
    expect([step.stepNum, step.operation, step.before?.height, step.before?.width]).toEqual([1, 4, 3, 3]);
    expect(step.image?.src).toBe(`uri:${join(V1_IMAGES, 'episode_0002', 'step_001.svg')}`);
    const files = last(posts, 'runFiles')!.files;
    expect(files.batchMetrics!.steps).toEqual([0, 5]);
    expect(files.evaluation).toMatchObject({ taskId: '3c9b0459', successRate: 1, averageEpisodeLength: 2, timeouts: 0, tests: [{ pair: 0, solved: true }] });
    expect(files.configs[0].fields).toContainEqual(['base_output_dir', 'outputs/research']);
    expect(files.problems).toEqual([]);
    await session.dispose();
  });

  test('batch metrics: JAX strings read as numbers, arrays as their mean', async () => {
    const m = await readBatchMetrics(join(V1_LOGS, 'batch_metrics.jsonl'));
    const byName = Object.fromEntries(m.series.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['episode_lengths', 'episode_returns', 'gradient_norm', 'policy_loss', 'similarity_scores', 'success_mask', 'value_loss']);
    expect(byName.policy_loss.values).toEqual([0.731, 0.731]);
    expect(byName.episode_returns.values[0]).toBeCloseTo((-0.4 + 0.2 - 0.1 + 0.9) / 4, 12);
    expect(byName.episode_returns.reduced).toBe('mean of 4');
    expect(byName.success_mask).toMatchObject({ values: [0.25, 0.25], reduced: 'fraction true of 4' });
    expect([m.skipped, m.partialLast]).toEqual([0, false]);
  });

  test('evaluation summary and a half-written metrics line', async () => {
    const ev = await readEvaluationSummary(join(V1_LOGS, 'evaluation_summary.json'));
    expect([ev.taskId, ev.successRate, ev.configHash]).toEqual(['3c9b0459', 1, '164b9798']);
    const dir = tempDir();
    const text = readFileSync(join(V1_LOGS, 'batch_metrics.jsonl'), 'utf8');
    writeFileSync(join(dir, 'batch_metrics.jsonl'), `${text}{"timestamp": 1, "step": 10, "metr`);
    const m = await readBatchMetrics(join(dir, 'batch_metrics.jsonl'));
    expect([m.steps, m.skipped, m.partialLast]).toEqual([[0, 5], 1, true]);
  });

  test('Run Overview: episodes with real task ids, batch metrics, evaluation and the episode config', async () => {
    const { runs } = await discoverRuns([V1]);
    const s = await summarizeRun(runs[0]);
    expect(s.groups.map((g) => [g.kind, g.count])).toEqual([['episodes', 3], ['batchMetrics', 2], ['evaluation', 1], ['episodeConfigs', 1]]);
    expect(s.groups[0].detail).toBe('1 of 3 solved');
    expect(s.groups[0].items!.map((i) => i.detail)).toEqual([
      '8 steps · reward 0.80 · similarity 0.88 · 68b16354 · 8 images',
      '6 steps · reward -0.32 · similarity 0.61 · b1948b0a · 6 images',
      '2 steps · reward 10.98 · solved · 3c9b0459 · 2 images',
    ]);
    expect(s.groups[1].detail).toMatch(/^steps 0–5 · .*policy_loss/);
    expect(s.groups[2].detail).toBe('task 3c9b0459 · success rate 1.00 · mean length 2 · 0 timeouts · 1 of 1 test pairs solved');
  });

  test('a pickle-only episode says why it is not replayed', async () => {
    const run = join(tempDir(), 'research');
    copyWritable(V1, run);
    rmSync(join(run, 'logs', 'episode_0000_20261201_191221.json'));
    const { posts, host } = fakeHost();
    const session = new EpisodeReplaySession(run, host);
    await session.handle({ type: 'ready' });
    await until(() => !!last(posts, 'episodes'));
    const item = last(posts, 'episodes')!.items.find((i) => i.episodeNum === 0)!;
    expect(item.warning).toMatch(/episode_0000_20261201_191221\.pkl is a Python pickle of JAX arrays and JaxARC objects.*never runs a pickle's code/);
    await session.handle({ type: 'openEpisode', path: item.path });
    await until(() => !!last(posts, 'error'));
    expect(last(posts, 'error')!.message).toMatch(/pickle of JAX arrays/);
    await session.dispose();
  });
});

describe('2025-07: structured_logs/ and episodes/run_*/ in every logger mode', () => {
  test('each output folder is one run', async () => {
    const { runs } = await discoverRuns([JULY]);
    expect(runs.map((r) => [r.path, r.kind])).toEqual([[ASYNC, 'episodes'], [GZ, 'episodes'], [REDUCED, 'episodes']]);
  });

  test('async wrapper unwrapped; episodes paired with their image tree by the number inside', async () => {
    const layout = await scanEpisodeRun(ASYNC);
    expect(layout.episodes.map((e) => [e.episodeNum, e.imagesDir?.slice(ASYNC.length + 1), e.images.length])).toEqual([
      [1, 'episodes/run_20261201_191233/episode_0001', 8], [2, 'episodes/run_20261201_191233/episode_0002', 6], [3, 'episodes/run_20261201_191233/episode_0003', 2],
    ]);
    const s = await readEpisodeSummary(layout.episodes[0].log!);
    expect([s.episodeNum, s.taskId, s.totalSteps]).toEqual([1, '68b16354', 8]);
    const log = await readEpisodeLog(layout.episodes[2].log!, ASYNC);
    expect([log.episodeNum, log.taskId, log.steps.length, log.success]).toEqual([3, '3c9b0459', 2, true]);
  });

  test('reduced async episode replays its step SVGs from the image tree (the logged absolute path is elsewhere)', async () => {
    const { posts, host } = fakeHost();
    const session = new EpisodeReplaySession(ASYNC, host);
    await session.handle({ type: 'ready' });
    await until(() => last(posts, 'episode')?.info.indexing === false && !!last(posts, 'step'));
    expect(last(posts, 'episodes')!.items.map((i) => [i.episodeNum, i.taskId, i.success])).toEqual([[1, '68b16354', false], [2, 'b1948b0a', false], [3, '3c9b0459', true]]);
    expect(last(posts, 'episode')!.info).toMatchObject({ episodeNum: 3, mode: 'images' });
    await session.handle({ type: 'step', index: 1 });
    await until(() => last(posts, 'step')?.view.index === 1);
    const view = last(posts, 'step')!.view;
    expect([view.stepNum, view.operation, view.success, view.similarity]).toEqual([2, 34, true, 1]);
    expect(view.image?.src).toBe(`uri:${join(ASYNC, 'episodes', 'run_20261201_191233', 'episode_0003', 'step_002.svg')}`);
    await session.dispose();
  });

  test('an absolute visualization_path that exists in the run is used as written', async () => {
    const run = join(tempDir(), 'async_defaults');
    copyWritable(ASYNC, run);
    const file = join(run, 'structured_logs', 'episode', '20261201_191235_001.json');
    const o = JSON.parse(readFileSync(file, 'utf8'));
    const other = join(run, 'episodes', 'run_20261201_191233', 'episode_0001', 'step_008.svg');
    o.data.steps[0].visualization_path = other;
    writeFileSync(file, JSON.stringify(o));
    const log = await readEpisodeLog(file, run, { imagesDir: (await scanEpisodeRun(run)).episodes.find((e) => e.log === file)!.imagesDir });
    expect(log.steps[0].imagePath).toBe(other);
    expect(log.steps[1].imagePath).toBe(join(run, 'episodes', 'run_20261201_191233', 'episode_0003', 'step_002.svg'));
  });

  test('gzipped full states with JAX string values: operation, similarity, success; mask-cropped grids, −1-cropped target', async () => {
    const layout = await scanEpisodeRun(GZ);
    const ep3 = layout.episodes.find((e) => e.episodeNum === 3)!;
    const log = await readEpisodeLog(ep3.log!, GZ);
    expect([log.finalSimilarity, log.success, log.taskId]).toEqual([1, true, '3c9b0459']);
    expect(log.steps.map((s) => [s.operation, s.similarity, s.success])).toEqual([[4, 1, true], [34, 1, true]]);
    expect(rows(log.steps[0].before)).toEqual([[0, 3, 0], [7, 0, 0], [0, 0, 0]]);
    expect(rows(log.steps[0].target)).toEqual([[4, 4, 4], [4, 4, 4], [4, 4, 4]]);
    const ep1 = await readEpisodeLog(layout.episodes.find((e) => e.episodeNum === 1)!.log!, GZ);
    expect(ep1.finalSimilarity).toBe(0.88);
    expect(ep1.steps[4]).toMatchObject({ operation: 31, similarity: 0.88, success: false });
  });

  test('reduced sync states: no grids, step images from the tree', async () => {
    const layout = await scanEpisodeRun(REDUCED);
    expect(layout.episodes.map((e) => [e.episodeNum, e.images.length])).toEqual([[1, 8], [2, 6], [3, 2]]);
    const log = await readEpisodeLog(layout.episodes[0].log!, REDUCED);
    expect(log.steps.every((s) => s.reduced)).toBe(true);
    expect(log.steps.map((s) => s.operation)).toEqual([13, 9, 4, 13, 31, 23, 32, 34]);
  });
});

test('image-only episodes: steps from the images, nothing else claimed', async () => {
  const { posts, host } = fakeHost();
  const images = join(ASYNC, 'episodes', 'run_20261201_191233');
  const session = new EpisodeReplaySession(images, host);
  await session.handle({ type: 'ready' });
  await until(() => !!last(posts, 'step') && !!last(posts, 'episodes'));
  const items = last(posts, 'episodes')!.items;
  expect(items.map((i) => [i.episodeNum, i.steps, i.totalReward, i.finalSimilarity, i.success])).toEqual([[1, 8, undefined, undefined, undefined], [2, 6, undefined, undefined, undefined], [3, 2, undefined, undefined, undefined]]);
  const info = last(posts, 'episode')!.info;
  expect([info.totalReward, info.finalSimilarity, info.success, info.rewards]).toEqual([undefined, undefined, undefined, [null, null]]);
  expect(last(posts, 'step')!.view.reward).toBeUndefined();
  const { runs } = await discoverRuns([images]);
  const s = await summarizeRun(runs[0]);
  expect(s.groups[0].detail).toBeUndefined();
  await session.dispose();
});
