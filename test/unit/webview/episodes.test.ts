/// <reference lib="dom" />
// The Episode Replay webview in headless Chromium, its host the real replay session over the
// producer's episode folders: cell pixels in the ARC palette, changed cells outlined, colour
// schemes, keyboard and chart stepping, the episode table (hostile task id as text), overlay
// curves, and step images for reduced logs.
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EpisodeReplaySession } from '../../../src/domain/episodes/replaySession';
import { DEFAULT_EPISODE_REPLAY, type EpisodeHostToWebview, type StepView } from '../../../src/protocol/episodes';
import { PALETTES } from '../../../webview/episodes/grid';
import { EPISODES } from '../helpers';
import { WebviewPage } from './page';

const RUN = join(EPISODES, 'grid_run');
let view: WebviewPage;
let session: EpisodeReplaySession;
const steps = new Map<number, StepView>();

beforeAll(async () => {
  view = await WebviewPage.open('episodes', { styles: ['uplot.css'], files: RUN, webgl: false, viewport: { width: 1200, height: 900 }, boot: { ...DEFAULT_EPISODE_REPLAY, run: RUN, episode: join(RUN, 'episode_0000') } });
  session = new EpisodeReplaySession(RUN, {
    post: (m: EpisodeHostToWebview) => {
      if (m.type === 'step') steps.set(m.view.index, m.view);
      void view.post(m);
    },
    imageUri: (p) => `${view.origin}/files/${relative(RUN, p)}`,
    warn: () => {},
  }, { episode: join(RUN, 'episode_0000') });
  await view.serve(session);
}, 60_000);
afterAll(() => view?.closeWith(session));

const text = (id: string) => view.page.locator(`[data-testid=${id}]`).textContent();
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** The colour at the centre (or `at` of the way across) of cell (row, col) of a grid canvas. */
function cellPixel(testid: string, row: number, col: number, at = 0.5): Promise<number[]> {
  return view.page.locator(`[data-testid=${testid}]`).evaluate((c: HTMLCanvasElement, [r, k, f]) => {
    const cell = Number(c.dataset.cell), ox = Number(c.dataset.originX), oy = Number(c.dataset.originY);
    const scale = c.width / c.clientWidth;
    const x = Math.floor((ox + k * cell + cell * f) * scale), y = Math.floor((oy + r * cell + cell / 2) * scale);
    return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3));
  }, [row, col, at] as const);
}

async function shownStep(): Promise<StepView> {
  await expect.poll(async () => Number(await view.page.locator('[data-testid=grids]').getAttribute('data-step')), { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
  return steps.get(Number(await view.page.locator('[data-testid=grids]').getAttribute('data-step')))!;
}

test('opens on the first step: title, before and after grids with every cell in the ARC palette', async () => {
  await expect.poll(() => text('title'), { timeout: 20_000 }).toBe('episode 0 · arc_000');
  await expect.poll(() => text('step-label')).toBe('step 1 of 12');
  const step = await shownStep();
  expect(step.index).toBe(0);
  const selected = new Set(step.selection!.cells.flatMap((c, k) => (c ? [k] : [])));
  for (let k = 0; k < step.before!.cells.length; k++) {
    const row = Math.floor(k / step.before!.width), col = k % step.before!.width;
    // The after grid: every cell's centre is its palette colour (changed cells are outlined, not filled).
    expect(await cellPixel('after', row, col)).toEqual(rgb(PALETTES.default[step.after!.cells[k]]));
    if (!selected.has(k)) expect(await cellPixel('before', row, col)).toEqual(rgb(PALETTES.default[step.before!.cells[k]]));
  }
  expect(await text('reward')).toBe(`reward ${Number(step.reward!.toFixed(4))}`);
  expect(await text('action')).toContain(step.operationName!);
  expect(view.errors()).toEqual([]);
});

test('changed cells are outlined on the after grid, unchanged ones are not', async () => {
  const step = await shownStep();
  const w = step.after!.width;
  const changed = step.changed[0];
  const unchanged = step.after!.cells.findIndex((_, k) => !step.changed.includes(k));
  const ring = async (k: number) => cellPixel('after', Math.floor(k / w), k % w, 0.14);
  const ringColour = await ring(changed);
  // Black and white rings: a grey, whatever the cell's colour.
  expect(ringColour[0] === ringColour[1] && ringColour[1] === ringColour[2]).toBe(true);
  expect(ringColour).not.toEqual(rgb(PALETTES.default[step.after!.cells[changed]]));
  expect(await ring(unchanged)).toEqual(rgb(PALETTES.default[step.after!.cells[unchanged]]));
  expect(await text('step-text')).toMatch(/similarity/);
  expect(await view.page.locator('figcaption').nth(1).textContent()).toContain(`${step.changed.length} changed`);
});

test('colour schemes repaint the cells; the target grid on request', async () => {
  const step = await shownStep();
  await view.page.selectOption('[data-testid=scheme]', 'colorblind');
  await expect.poll(() => cellPixel('after', 0, 0)).toEqual(rgb(PALETTES.colorblind[step.after!.cells[0]]));
  await view.page.selectOption('[data-testid=scheme]', 'default');
  await view.page.check('[data-testid=show-target]');
  await expect.poll(() => view.page.locator('[data-testid=target]').count()).toBe(1);
  for (const k of [0, 7, 29]) expect(await cellPixel('target', Math.floor(k / 6), k % 6)).toEqual(rgb(PALETTES.default[step.target!.cells[k]]));
  await view.page.uncheck('[data-testid=show-target]');
});

test('keyboard, key moments and a click on the chart move the step; reward text follows', async () => {
  await view.page.locator('body').click({ position: { x: 5, y: 5 } });
  await view.page.keyboard.press('ArrowRight');
  await expect.poll(() => text('step-label')).toBe('step 2 of 12');
  await expect.poll(async () => (await shownStep()).index).toBe(1);
  expect(await text('reward')).toBe(`reward ${Number(steps.get(1)!.reward!.toFixed(4))}`);
  await view.page.keyboard.press('End');
  await expect.poll(() => text('step-label')).toBe('step 12 of 12');
  await view.page.keyboard.press('Home');
  await expect.poll(() => text('step-label')).toBe('step 1 of 12');
  await view.page.click('[data-testid=next-key]');
  await expect.poll(() => text('step-label')).not.toBe('step 1 of 12');
  const over = view.page.locator('[data-testid=chart] .u-over');
  const box = (await over.boundingBox())!;
  await over.click({ position: { x: box.width - 2, y: box.height / 2 } });
  await expect.poll(() => text('step-label')).toBe('step 12 of 12');
  await expect.poll(async () => (await shownStep()).index).toBe(11);
});

test('play steps forward by itself and pause stops it', async () => {
  await view.page.keyboard.press('Home');
  await view.page.selectOption('[data-testid=speed]', '16');
  await view.page.click('[data-testid=play]');
  await expect.poll(() => text('step-label'), { timeout: 5000 }).toBe('step 12 of 12');
  await expect.poll(() => text('play')).toBe('Play');
});

/** The x ticks a chart drew (its axis keeps them as data-x-ticks). */
async function xTicks(testid: string): Promise<number[]> {
  const root = view.page.locator(`[data-testid=${testid}] .uplot`);
  await expect.poll(() => root.getAttribute('data-x-ticks'), { timeout: 10_000 }).toBeTruthy();
  return (await root.getAttribute('data-x-ticks'))!.split(' ').map(Number);
}

test('the episode table: task ids as text, sort, filter, overlay curves', async () => {
  const rows = view.page.locator('[data-testid=episode-rows] tr');
  await expect.poll(() => rows.count()).toBe(4);
  expect(await rows.nth(1).textContent()).toContain('<img src=x onerror="window.__pwned=1">');
  expect(await view.page.locator('[data-testid=episode-rows] img').count()).toBe(0);
  expect(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await view.page.click('th[data-sort=steps]');
  const order = () => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.episode));
  // Numbers sort largest first on the first click, then the other way.
  await expect.poll(order).toEqual(['1', '0', '2', '3']);
  await view.page.click('th[data-sort=steps]');
  await expect.poll(order).toEqual(['3', '2', '0', '1']);
  await view.page.fill('[data-testid=filter]', 'steps<10');
  await expect.poll(() => rows.count()).toBe(2);
  expect(await text('filter-note')).toBe('2 of 4 episodes');
  await view.page.fill('[data-testid=filter]', '');
  await view.page.locator('tr[data-episode="0"] input[type=checkbox]').check();
  await view.page.locator('tr[data-episode="1"] input[type=checkbox]').check();
  // One x row and a row per checked episode, in one chart.
  await expect.poll(() => view.page.locator('[data-testid=overlay] .u-legend .u-series').count(), { timeout: 10_000 }).toBe(3);
  expect(await view.page.locator('[data-testid=overlay] .u-over').count()).toBe(1);
  expect((await xTicks('overlay')).every(Number.isInteger)).toBe(true);
});

test('a reduced-state log shows its SVG step images through <img>, with the same scrubber', async () => {
  await view.page.locator('[data-testid=episode-rows] tr[data-episode="2"]').click();
  await expect.poll(() => text('title'), { timeout: 10_000 }).toBe('episode 2 · arc_074');
  const img = view.page.locator('[data-testid=step-image]');
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), { timeout: 10_000 }).toBe(40);
  expect(await img.getAttribute('src')).toMatch(/episode_0002\/step_000\.svg$/);
  await view.page.keyboard.press('ArrowRight');
  await expect.poll(() => img.getAttribute('src')).toMatch(/step_001\.svg$/);
  expect(await view.page.locator('[data-testid=before]').count()).toBe(0);
  // Six steps across the chart: whole steps only (uPlot's own steps put ticks between them).
  await expect.poll(async () => (await xTicks('chart')).at(-1)).toBe(5);
  const ticks = await xTicks('chart');
  expect(ticks[0]).toBe(0);
  expect(ticks.every(Number.isInteger)).toBe(true);
  expect(view.errors()).toEqual([]);
});
