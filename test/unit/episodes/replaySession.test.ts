// The replay panel's host side over the producer's episode folders: the run's list, an
// episode's series and steps, images when the log has none, coalesced step requests, a new
// episode appearing, and the list's filter and sort.
import { cpSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { EpisodeReplaySession, locateEpisodeTarget } from '../../../src/domain/episodes/replaySession';
import type { EpisodeListItem } from '../../../src/protocol/episodes';
import { parseFilter, sortEpisodes } from '../../../webview/episodes/list';
import { EPISODES, tempDir } from '../helpers';

import { findProducerPython } from '../../../scripts/lib/python.mjs';
import { fakeHost, last, until } from './replayHost';

const GRID = join(EPISODES, 'grid_run');


test('where a path sits: run folder, episode folder, log file', async () => {
  expect(await locateEpisodeTarget(GRID)).toEqual({ run: GRID });
  expect(await locateEpisodeTarget(join(GRID, 'episode_0001'))).toEqual({ run: GRID, episode: join(GRID, 'episode_0001') });
  const log = join(GRID, 'episode_0001', 'episode_0001_20251121_044100.json');
  expect(await locateEpisodeTarget(log)).toEqual({ run: GRID, episode: log });
});

test('ready: the run list, the episode series, then its first step with grids and the changed cells', async () => {
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(GRID, host, { episode: join(GRID, 'episode_0000') });
  await session.handle({ type: 'ready' });
  await until(() => !!last(posts, 'step') && last(posts, 'episode')?.info.indexing === false);
  const list = last(posts, 'episodes')!;
  expect(list.items.map((i) => [i.episodeNum, i.steps, i.images])).toEqual([[0, 12, 12], [1, 30, 0], [2, 6, 6], [3, 5, 5]]);
  expect(list.items[1].taskId).toBe('<img src=x onerror="window.__pwned=1">');
  const info = last(posts, 'episode')!.info;
  expect(info).toMatchObject({ episodeNum: 0, taskId: 'arc_000', stepCount: 12, mode: 'grids', indexing: false });
  expect(info.rewards).toHaveLength(12);
  expect(info.keyMoments.length).toBeGreaterThan(0);
  const step = last(posts, 'step')!.view;
  expect(step.index).toBe(0);
  expect([step.before?.height, step.before?.width, step.after?.cells.length]).toEqual([5, 6, 30]);
  expect(step.changed).toEqual(step.after!.cells.flatMap((c, k) => (c !== step.before!.cells[k] ? [k] : [])));
  expect(step.changed.length).toBeGreaterThan(0);
  expect(step.selection!.cells.filter((c) => c === 1)).toHaveLength(9);
  expect(step.image?.src).toBe(`uri:${join(GRID, 'episode_0000', 'step_000.png')}`);
  await session.dispose();
});

test('step requests while one is being read: only the latest is answered after it', async () => {
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(GRID, host, { episode: join(GRID, 'episode_0001') });
  await session.handle({ type: 'ready' });
  await until(() => last(posts, 'episode')?.info.indexing === false && !!last(posts, 'step'));
  const before = posts.filter((p) => p.type === 'step').length;
  await Promise.all(Array.from({ length: 29 }, (_, k) => session.handle({ type: 'step', index: k + 1 })));
  await until(() => last(posts, 'step')?.view.index === 29);
  const answered = posts.filter((p) => p.type === 'step').length - before;
  expect(answered).toBeLessThan(10);
  expect(last(posts, 'step')!.view.stepNum).toBe(29);
  await session.dispose();
});

test('a page reloaded after being hidden comes back on its episode and step, not the one the panel opened with', async () => {
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(GRID, host, { episode: join(GRID, 'episode_0000'), step: 0 });
  await session.handle({ type: 'ready' });
  await session.handle({ type: 'openEpisode', path: join(GRID, 'episode_0001'), step: 5 });
  await until(() => last(posts, 'step')?.view.stepNum === 5);
  posts.length = 0;
  await session.handle({ type: 'ready', episode: join(GRID, 'episode_0001'), step: 17 });
  await until(() => last(posts, 'step')?.view.index === 17);
  expect(last(posts, 'episode')!.info.path).toBe(join(GRID, 'episode_0001'));
  expect(last(posts, 'episodes')!.items).toHaveLength(4);
  await session.dispose();
});

test('reduced states show the step images; a folder of images alone replays too', async () => {
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(GRID, host, { episode: join(GRID, 'episode_0002') });
  await session.handle({ type: 'ready' });
  await until(() => last(posts, 'episode')?.info.mode === 'images' && !!last(posts, 'step'));
  const reduced = last(posts, 'step')!.view;
  expect(reduced.before).toBeUndefined();
  expect(reduced.image).toEqual({ src: `uri:${join(GRID, 'episode_0002', 'step_000.svg')}`, svg: true });
  expect(reduced.gridShape).toEqual([4, 4]);
  await session.handle({ type: 'openEpisode', path: join(GRID, 'episode_0003'), step: 4 });
  await until(() => last(posts, 'step')?.view.stepNum === 4);
  expect(last(posts, 'episode')!.info).toMatchObject({ mode: 'images', stepCount: 5, indexing: false });
  expect(last(posts, 'step')!.view.image).toEqual({ src: `uri:${join(GRID, 'episode_0003', 'step_004.png')}`, svg: false });
  await session.dispose();
});

test('an episode a running experiment logs appears on refresh; overlay curves are cumulative rewards', async () => {
  const run = join(tempDir(), 'live_run');
  cpSync(GRID, run, { recursive: true });
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(run, host);
  await session.handle({ type: 'ready' });
  await until(() => !!last(posts, 'step'));
  expect(last(posts, 'episode')!.info.episodeNum).toBe(3);
  execFileSync(findProducerPython()!, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(join(__dirname, '..', '..', '..', 'scripts', 'producers'))}); import runreel_producers as P; from pathlib import Path; P.write_episode(Path(${JSON.stringify(run)}), 4, steps=3, size=(4, 4), images=None)`]);
  await session.refresh([join(run, 'episode_0004')]);
  expect(last(posts, 'episodes')!.items.map((i) => i.episodeNum)).toEqual([0, 1, 2, 3, 4]);
  await session.handle({ type: 'overlay', paths: [join(run, 'episode_0000'), join(run, 'episode_0004')] });
  const curves = last(posts, 'curves')!.items;
  expect(curves.map((c) => c.cumulative.length)).toEqual([12, 3]);
  const rewards = (last(posts, 'episodes')!.items[0].totalReward)!;
  expect(curves[0].cumulative.at(-1)).toBeCloseTo(rewards, 3);
  expect(readdirSync(run)).toContain('episode_0004');
  await session.dispose();
});

test('list filter and sort', () => {
  const items: EpisodeListItem[] = [
    { path: 'a', episodeNum: 0, taskId: 'arc_000', steps: 12, totalReward: 0.4, finalSimilarity: 0.6, success: false, images: 0 },
    { path: 'b', episodeNum: 1, taskId: 'arc_037', steps: 30, totalReward: 0.9, finalSimilarity: 1, success: true, images: 0 },
    { path: 'c', episodeNum: 2, taskId: 'arc_074', steps: 6, totalReward: -0.1, finalSimilarity: 0.2, success: false, images: 0 },
    { path: 'd', episodeNum: 3, images: 5 },
  ];
  const pick = (text: string) => items.filter(parseFilter(text).test).map((i) => i.episodeNum);
  expect(pick('solved')).toEqual([1]);
  expect(pick('unsolved reward>0')).toEqual([0]);
  expect(pick('similarity>=0.6 steps<20')).toEqual([0]);
  expect(pick('ARC_07')).toEqual([2]);
  expect(pick('task:037')).toEqual([1]);
  expect(pick('3')).toEqual([1, 3]); // task arc_037 and episode 3
  expect(parseFilter('reward>x bogus<1 constructor>0 tostring<1').problems).toEqual(['reward>x', 'bogus<1', 'constructor>0', 'tostring<1']);
  expect(sortEpisodes(items, 'reward', true).map((i) => i.episodeNum)).toEqual([1, 0, 2, 3]);
  expect(sortEpisodes(items, 'steps', false).map((i) => i.episodeNum)).toEqual([2, 0, 1, 3]);
  expect(sortEpisodes(items, 'task', true).map((i) => i.episodeNum)).toEqual([2, 1, 0, 3]);
});

test('hostile messages from the page: each settles soon with a bounded answer (a step index "1" once looped for ever)', async () => {
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(GRID, host, { episode: join(GRID, 'episode_0000') });
  await session.handle({ type: 'ready' });
  await until(() => !!last(posts, 'step') && last(posts, 'episode')?.info.indexing === false);
  const value = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom(0, 1, 11, 12, 29), fc.double(), fc.string({ maxLength: 4 }), fc.constant('1'), fc.constant(null), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }));
  const path = fc.oneof(value, fc.constantFrom(join(GRID, 'episode_0001'), join(GRID, 'episode_0002'), join(GRID, 'nope'), '/'));
  const message = fc.record({ type: fc.constantFrom('ready', 'openEpisode', 'step', 'overlay', 'bogus'), index: value, step: value, path, episode: path, paths: fc.oneof(value, fc.array(path, { maxLength: 20 })) });
  await fc.assert(fc.asyncProperty(message, async (m) => {
    const from = posts.length;
    const settled = await Promise.race([session.handle(m as never).then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    expect(settled).toBe(true);
    expect(posts.length - from).toBeLessThan(50);
    for (const p of posts.slice(from)) expect(['episodes', 'runFiles', 'episode', 'step', 'curves', 'error']).toContain(p.type);
  }), { numRuns: 80 });
  // A string index is refused by name; a step out of range is its nearest, once.
  const from = posts.length;
  await session.handle({ type: 'openEpisode', path: join(GRID, 'episode_0000') });
  await session.handle({ type: 'step', index: '1' as never });
  expect(last(posts, 'error')?.message).toMatch(/a request for step "1": not a step number/);
  await session.handle({ type: 'step', index: -5 });
  await until(() => posts.slice(from).some((p) => p.type === 'step' && p.view.index === 0));
  await new Promise((r) => setTimeout(r, 100));
  expect(posts.slice(from).filter((p) => p.type === 'step').length).toBeLessThan(4);
  // Only episodes of this run open, or overlay.
  await session.handle({ type: 'openEpisode', path: EPISODES });
  expect(last(posts, 'error')?.message).toBe(`${EPISODES} is not an episode of the run ${GRID}`);
  const curvesBefore = posts.filter((p) => p.type === 'curves').length;
  await session.handle({ type: 'overlay', paths: [join(EPISODES, 'jaxarc_run'), join(GRID, 'episode_0001')] });
  await until(() => posts.filter((p) => p.type === 'curves').length > curvesBefore);
  expect(last(posts, 'curves')!.items.map((c) => c.path)).toEqual([join(GRID, 'episode_0001')]);
  await session.dispose();
}, 120_000);

test('an episode opened while the run is still being listed stays open: the page\'s start does not take it back', async () => {
  const { posts, host } = fakeHost();
  const chosen = join(GRID, 'episode_0002');
  let clicked: Promise<void> | undefined;
  // The user clicks an episode the moment the list arrives, before 'ready' has opened the first.
  const session: EpisodeReplaySession = new EpisodeReplaySession(GRID, {
    ...host, post: (m) => { host.post(m); if (m.type === 'episodes' && !clicked) clicked = session.handle({ type: 'openEpisode', path: chosen }); },
  }, { episode: join(GRID, 'episode_0000') });
  await session.handle({ type: 'ready' });
  await clicked;
  await until(() => last(posts, 'episode')?.info.indexing === false && !!last(posts, 'step'));
  await new Promise((r) => setTimeout(r, 200));
  expect(posts.filter((p) => p.type === 'episode').map((p) => p.info.path).every((p) => p === chosen)).toBe(true);
  expect(last(posts, 'episode')!.info.path).toBe(chosen);
  await session.dispose();
});

test('of two opens in a row the later is shown, and the earlier\'s log is closed when it gives way', async () => {
  const { posts, host } = fakeHost();
  const session = new EpisodeReplaySession(GRID, host);
  await session.handle({ type: 'ready' });
  await until(() => last(posts, 'episode')?.info.indexing === false);
  const slow = session.handle({ type: 'openEpisode', path: join(GRID, 'episode_0001') });
  const fast = session.handle({ type: 'openEpisode', path: join(GRID, 'episode_0000') });
  await Promise.all([slow, fast]);
  await until(() => last(posts, 'episode')?.info.path === join(GRID, 'episode_0000') && last(posts, 'episode')?.info.indexing === false);
  await new Promise((r) => setTimeout(r, 200));
  expect(last(posts, 'episode')!.info.path).toBe(join(GRID, 'episode_0000'));
  // Nothing of the overtaken open was sent after the later one's first message.
  const firstOfLater = posts.findIndex((p) => p.type === 'episode' && p.info.path === join(GRID, 'episode_0000'));
  expect(posts.slice(firstOfLater).filter((p) => p.type === 'episode' && p.info.path !== join(GRID, 'episode_0000'))).toEqual([]);
  // The overtaken episode's log is not left open (this process's open files, as Linux lists them).
  const openOf = (file: string) => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) === file; } catch { return false; } }).length;
  expect(openOf(join(GRID, 'episode_0001', 'episode_0001_20251121_044100.json'))).toBe(0);
  await session.dispose();
});
