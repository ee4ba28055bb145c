/// <reference lib="dom" />
// The Embedding Timeline webview in headless Chromium, fed by a host made of the real
// readers over the producer-written fixture snapshots.
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodePng } from '../../../src/domain/artifacts/png';
import { listSnapshotSteps, readStep, RowIds, TimelineGeometry } from '../../../src/domain/embeddings/timeline';
import { EmbeddingsSession } from '../../../src/domain/embeddings/timelineSession';
import { holdBackNames, packTexts, unpackTexts } from '../../../src/protocol/embeddings';
import { TAB10 } from '../../../webview/embeddings/colouring';
import { TAB10_RGB } from '../../../webview/embeddings/scatterGl';
import { realProducer } from '../helpers';
import { partsScript, WebviewPage } from './page';

const DIR = join(__dirname, '..', '..', 'fixtures', 'workspace', 'lightning_logs', 'version_0', 'viz_snapshots');
let view: WebviewPage;
let session: EmbeddingsSession;
/** What the session logged. */
const warned: string[] = [];
let steps: Awaited<ReturnType<typeof listSnapshotSteps>>;
let geometry: TimelineGeometry;
/** A synthetic run the host serves instead of the fixture, while set (stepData undefined: it posted the step itself). */
let synthetic: { steps: number[]; stepData(step: number): unknown; trail(step: number, rows: Record<string, number[]>, length: number): unknown } | undefined;
/** While set, the host answers names requests with this instead of from what it sent (a host that cannot read the step, then can). */
let namesAnswer: ((codes: number[]) => { asked: number[]; names: Record<number, string>; failed?: string }) | undefined;

interface SpaceInfo { name: string; points: number; selected: number; x: [number, number]; y: [number, number]; rect: { left: number; top: number; width: number; height: number }; colour: string | null }
const spaces = async (): Promise<SpaceInfo[]> => JSON.parse((await view.page.locator('[data-testid=plot]').getAttribute('data-spaces')) ?? '[]');
/**
 * A run's steps as the host lists them, then each alignment's fixed axes, aligned first, as the
 * panel sends them: the fixture's are measured; a synthetic run's are none (own extents).
 */
async function postRun(title: string, list: object[], bounds: (align: boolean) => object = () => ({})): Promise<void> {
  await view.post({ type: 'steps', title, warnings: [], steps: list });
  for (const align of [true, false]) await view.post({ type: 'bounds', align, bounds: bounds(align) });
}
/** Where point (x, y) of space k is on the page. */
async function onPage(k: number, x: number, y: number): Promise<{ x: number; y: number }> {
  const s = (await spaces())[k];
  const box = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
  return { x: box.x + s.rect.left + ((x - s.x[0]) / (s.x[1] - s.x[0])) * s.rect.width, y: box.y + s.rect.top + s.rect.height - ((y - s.y[0]) / (s.y[1] - s.y[0])) * s.rect.height };
}
/** The plot's pixels as the screen shows them: [r, g, b] counts of the Tab10 colours seen. */
async function inkColours(): Promise<Map<string, number>> {
  const box = (await view.page.locator('[data-testid=plot]').boundingBox())!;
  const png = decodePng(await view.page.screenshot({ clip: box }), 'screenshot');
  const seen = new Map<string, number>();
  for (let i = 0; i < png.width * png.height; i++) {
    const rgb = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]];
    const k = TAB10_RGB.findIndex((c) => c.every((v, j) => Math.abs(v - rgb[j]) <= 3));
    if (k >= 0) seen.set(TAB10[k], (seen.get(TAB10[k]) ?? 0) + 1);
  }
  return seen;
}

beforeAll(async () => {
  steps = await listSnapshotSteps(DIR);
  geometry = new TimelineGeometry();
  for (const s of steps) await geometry.add(s.step, s.snapshot!);
  view = await WebviewPage.open('embeddings', { boot: { dir: DIR, align: true, follow: true, trail: 0 }, files: DIR });
  // The panel's own host side serves the fixture. As it does for a field of thousands of
  // names, here for the prompts: they go as codes, and the page asks for the names it shows.
  session = new EmbeddingsSession(DIR, {
    post: (m) => void view.post(m), uri: (p) => `${view.origin}/files/${relative(DIR, p)}`, warn: (m) => void warned.push(m),
    exportPng: async () => {}, createAnimation: async () => {},
  }, { holdBack: (spaces) => spaces.map((sp) => ({ ...sp, fields: sp.fields.map((f) => (f.name === 'prompt' ? holdBackNames([{ ...sp, fields: [f] }], 0)[0].fields[0] : f)) })) });
  view.onMessage(async (m) => {
    if (synthetic && m.type === 'requestStep') {
      const data = synthetic.stepData(m.step as number);
      if (data) await view.post(data);
    } else if (synthetic && m.type === 'requestTrail') {
      await view.post(synthetic.trail(m.step as number, m.rows as Record<string, number[]>, m.length as number));
    } else if (m.type === 'requestNames' && namesAnswer) {
      await view.post({ type: 'names', step: m.step, space: m.space, field: m.field, ...namesAnswer(m.codes as number[]) });
    } else {
      await session.handle(m as never);
    }
  });
  await view.load();
}, 60_000);
afterAll(() => view?.closeWith(session));

/** The step label once the plot has drawn that step and any transition to it has ended. */
async function drawnStep(): Promise<string> {
  const label = (await view.page.locator('[data-testid=step-label]').textContent()) ?? '';
  const drawn = await view.page.locator('[data-testid=plot]').getAttribute('data-drawn-step');
  return label.startsWith(`step ${drawn} `) ? label : `(drawing ${drawn})`;
}

test('follows the latest step: every point of every space drawn on one WebGL canvas, in its label\'s colour', async () => {
  await expect.poll(drawnStep, { timeout: 20_000 }).toBe('step 150 · 3/3');
  // The fixture's spaces hold 60, 40 and 30 points, side by side, each coloured by its label.
  const info = await spaces();
  expect(info.map((s) => [s.points, s.colour])).toEqual([[60, 'label'], [40, 'label'], [30, 'label']]);
  expect(info[0].rect.left + info[0].rect.width).toBeLessThan(info[1].rect.left);
  const labels = await view.page.locator('[data-testid=legend-item]').allTextContents();
  expect(labels.length).toBeGreaterThanOrEqual(2); // the legend shows each label once
  expect(new Set(labels).size).toBe(labels.length);
  // On screen: ink in each label's colour.
  const ink = await inkColours();
  for (const c of TAB10.slice(0, labels.length)) expect(ink.get(c) ?? 0, c).toBeGreaterThan(20);
  // "auto" picks the fixture's label field in every space.
  expect(await view.page.locator('[data-testid=color-by]').inputValue()).toBe('');
  expect(await view.page.locator('[data-testid=color-by]').getAttribute('title')).toMatch(/^auto: .*: label, .*: label, .*: label$/);
  expect(view.errors()).toEqual([]);
});

test('the axes are drawn in the WebGL canvas under the points: one canvas over the plot, and a lasso\'s own only while it lasts', async () => {
  await expect.poll(drawnStep, { timeout: 20_000 }).toMatch(/^step \d+/);
  const s = (await spaces())[0];
  const box = (await view.page.locator('[data-testid=plot]').boundingBox())!;
  // The axes canvas only takes the pointer: never drawn on, it keeps a canvas's default size.
  expect(await view.page.locator('[data-testid=scatter-axes]').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([300, 150]);
  expect(await view.page.locator('[data-testid=lasso]').count()).toBe(0);
  // Yet the axes show: the y tick labels left of the first space, and its frame, differ from the background.
  const png = decodePng(await view.page.screenshot({ clip: box }), 'screenshot');
  const at = (x: number, y: number) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3));
  const background = at(2, 2);
  let labelInk = 0;
  for (let y = Math.round(s.rect.top); y < s.rect.top + s.rect.height; y++) for (let x = 4; x < s.rect.left - 2; x++) if (at(x, y).some((v, i) => Math.abs(v - background[i]) > 40)) labelInk++;
  expect(labelInk).toBeGreaterThan(30);
  const frame = at(Math.round(s.rect.left + s.rect.width / 2), Math.round(s.rect.top));
  expect(frame.some((v, i) => Math.abs(v - background[i]) > 8)).toBe(true);
  // A lasso drag draws on a canvas of its own, gone when the drag ends.
  const [x0, y0] = [box.x + s.rect.left + s.rect.width * 0.2, box.y + s.rect.top + s.rect.height * 0.2];
  await view.page.mouse.move(x0, y0);
  await view.page.mouse.down();
  await view.page.mouse.move(x0 + 20, y0, { steps: 4 });
  await view.page.mouse.move(x0 + 20, y0 + 20, { steps: 4 });
  expect(await view.page.locator('[data-testid=lasso]').count()).toBe(1);
  await view.page.mouse.move(x0, y0 + 1, { steps: 2 });
  await view.page.mouse.up();
  expect(await view.page.locator('[data-testid=lasso]').count()).toBe(0);
  await view.page.mouse.dblclick(x0 + 5, y0 + 5);
  await expect.poll(() => view.page.locator('[data-testid=selection]').textContent()).toMatch(/^lasso points/);
  expect(view.errors()).toEqual([]);
});

test('the step shown, written again (another version in the list), is asked for afresh; the same list again asks nothing', async () => {
  await expect.poll(drawnStep, { timeout: 20_000 }).toMatch(/^step \d+/);
  const shown = Number(await view.page.locator('[data-testid=plot]').getAttribute('data-drawn-step'));
  const list = (version: string) => ({ type: 'steps', title: 'version_0', warnings: [], steps: steps.map((s) => ({ step: s.step, npz: true, version: `${s.step}:${s.step === shown ? version : 'a'}` })) });
  const asks = () => view.sent.filter((m) => m.type === 'requestStep' && m.step === shown).length;
  await view.post(list('a'));
  await new Promise((r) => setTimeout(r, 300));
  const before = asks();
  await view.post(list('a'));
  await new Promise((r) => setTimeout(r, 300));
  expect(asks()).toBe(before);
  await view.post(list('b'));
  await expect.poll(asks, { timeout: 10_000 }).toBe(before + 1);
  await expect.poll(drawnStep, { timeout: 20_000 }).toMatch(new RegExp(`^step ${shown} `));
  expect(view.errors()).toEqual([]);
});

test('a legend entry clicked hides its points on screen and from hover; clicked again, they are back', async () => {
  const first = view.page.locator('[data-testid=legend-item]').first();
  await first.click();
  await expect.poll(() => first.getAttribute('data-hidden')).toBe('true');
  await expect.poll(async () => (await inkColours()).get(TAB10[0]) ?? 0).toBeLessThan(5);
  await first.click();
  await expect.poll(async () => (await inkColours()).get(TAB10[0]) ?? 0).toBeGreaterThan(20);
});

test('the slider and the arrow keys move between steps; moving back stops following', async () => {
  await view.page.locator('[data-testid=slider]').fill('0');
  await expect.poll(drawnStep).toBe('step 50 · 1/3');
  expect(await view.page.locator('[data-testid=follow]').isChecked()).toBe(false);
  await view.page.locator('[data-testid=slider]').focus();
  await view.page.keyboard.press('ArrowRight');
  await expect.poll(drawnStep).toBe('step 100 · 2/3');
  const asked = view.sent.filter((m) => m.type === 'requestStep').map((m) => m.step);
  expect(asked).toEqual(expect.arrayContaining([150, 50, 100]));
});

test('every step is drawn on the fixed axes of its alignment mode, aligned or not, and again after switching back', async () => {
  const fixed = (align: boolean) => ['latent', 'lora', 'prompt'].map((name) => geometry.bounds(align)[name].x);
  const xs = async () => (await spaces()).map((s) => s.x);
  const align = view.page.locator('[data-testid=align]');
  for (const i of ['0', '2']) {
    await view.page.locator('[data-testid=slider]').fill(i);
    await expect.poll(xs).toEqual(fixed(true));
  }
  await align.uncheck();
  await expect.poll(xs).toEqual(fixed(false));
  await align.check();
  await expect.poll(xs).toEqual(fixed(true));
  // Back at step 100, where the tests after this one start.
  await view.page.locator('[data-testid=slider]').fill('1');
  await expect.poll(drawnStep).toBe('step 100 · 2/3');
  await expect.poll(xs).toEqual(fixed(true));
});

test('hovering a point shows its metadata as text', async () => {
  // The first point of the first space at step 100, aligned as the host sent it.
  const aligned = (await readStep(steps.find((x) => x.step === 100)!.snapshot!, geometry.alignmentsOf(100))).spaces[0];
  const at = await onPage(0, aligned.x[0], aligned.y[0]);
  await view.page.mouse.move(at.x + 3, at.y + 3);
  await view.page.mouse.move(at.x, at.y, { steps: 2 });
  const tip = view.page.locator('[data-testid=tooltip]');
  await expect.poll(() => tip.isVisible(), { timeout: 5000 }).toBe(true);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-hover.png') });
  // The prompts' names stayed with the host: the tooltip says "…", then the name it asked for.
  await expect.poll(async () => (await tip.textContent()) ?? '').not.toMatch(/…/);
  const text = (await tip.textContent()) ?? '';
  expect(text).toMatch(/^latent · point \d+ · step 100\n/);
  expect(text).toMatch(/\nlabel: \S+/);
  expect(view.sent.some((m) => m.type === 'requestNames' && m.field === 'prompt')).toBe(true);
  const prompt = aligned.fields.find((f) => f.name === 'prompt')!;
  const i = Number(/point (\d+)/.exec(text)![1]);
  expect(text).toContain(`\nprompt: ${prompt.kind === 'category' ? unpackTexts(prompt.categories)[prompt.codes[i]] : ''}`);
  expect(await tip.evaluate((e) => e.children.length)).toBe(0); // text only, no markup
});

test('colour by a number field: one colour scale over every space, on a colour bar', async () => {
  await view.page.locator('[data-testid=color-by]').selectOption('loss');
  await expect.poll(async () => (await spaces()).map((s) => s.colour)).toEqual(['loss', 'loss', 'loss']);
  expect(await view.page.locator('[data-testid=colour-bar]').count()).toBe(1);
  expect(await view.page.locator('[data-testid=colour-bar]').textContent()).toMatch(/^loss: -?[\d.e-]+ +-?[\d.e-]+$/);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-browser.png') });
});

test('a lasso in one space selects the same points in every space, with trails over the last steps', async () => {
  // Lasso the whole first space, as a user drags around a cluster.
  const s = (await spaces())[0];
  const canvas = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
  const box = { left: canvas.x + s.rect.left + 2, top: canvas.y + s.rect.top + 2, right: canvas.x + s.rect.left + s.rect.width - 2, bottom: canvas.y + s.rect.top + s.rect.height - 2 };
  await view.page.locator('[data-testid=trail]').selectOption('5');
  await view.page.mouse.move(box.left, box.top);
  await view.page.mouse.down();
  for (const [x, y] of [[box.right, box.top], [box.right, box.bottom], [box.left, box.bottom], [box.left, box.top + 4]]) await view.page.mouse.move(x, y, { steps: 8 });
  await view.page.mouse.up();
  await expect.poll(() => view.page.locator('[data-testid=selection]').textContent(), { timeout: 10_000 }).toMatch(/^60 selected/);
  // Every space marks the same point numbers (the fixture's lora and prompt hold 40 and 30).
  expect((await spaces()).map((x) => x.selected)).toEqual([60, 40, 30]);
  const asked = view.sent.filter((m) => m.type === 'requestTrail').at(-1)!;
  expect([asked.step, asked.length, (asked.rows as Record<string, number[]>)[s.name].length]).toEqual([100, 5, 60]);
  // The fixture's rows carry their step in their metadata, so no row is found again in another
  // step: the trail has no segment to draw (the synthetic run below has them).
  await expect.poll(() => view.page.locator('[data-testid=plot]').getAttribute('data-trail-segments'), { timeout: 10_000 }).toBe('0,0,0');
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-selection.png') });
  // Double-click clears it.
  await view.page.mouse.dblclick((box.left + box.right) / 2, (box.top + box.bottom) / 2);
  await expect.poll(() => view.page.locator('[data-testid=selection]').textContent()).toMatch(/^lasso points/);
  expect(view.errors()).toEqual([]);
});

test('the wheel zooms a space about the cursor; double-click resets it', async () => {
  const before = (await spaces())[1];
  const centre = { x: (before.x[0] + before.x[1]) / 2, y: (before.y[0] + before.y[1]) / 2 };
  const at = await onPage(1, centre.x, centre.y);
  await view.page.mouse.move(at.x, at.y);
  await view.page.mouse.wheel(0, -300);
  await expect.poll(async () => { const r = (await spaces())[1]; return (r.x[1] - r.x[0]) / (before.x[1] - before.x[0]); }).toBeLessThan(0.8);
  const zoomed = (await spaces())[1];
  expect((zoomed.x[0] + zoomed.x[1]) / 2).toBeCloseTo(centre.x, 1);
  expect((await spaces())[0].x).toEqual((await spaces())[0].x); // the other spaces keep theirs
  await view.page.mouse.dblclick(at.x, at.y);
  await expect.poll(async () => (await spaces())[1].x).toEqual(before.x);
});

test('density: the points become a density on screen, and back', async () => {
  await view.page.locator('[data-testid=density]').check();
  await expect.poll(() => view.page.locator('[data-testid=plot]').getAttribute('data-density')).toBe('true');
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-density.png') });
  await view.page.locator('[data-testid=density]').uncheck();
  await expect.poll(() => view.page.locator('[data-testid=plot]').getAttribute('data-density')).toBe('false');
});

/** The fixture's steps again, in place of a synthetic run: the page moves to the newest, then to step 100. */
async function backToFixture(): Promise<void> {
  synthetic = undefined;
  await session.refresh();
  await expect.poll(drawnStep).toBe('step 150 · 3/3');
  await view.page.locator('[data-testid=slider]').fill('1');
  await expect.poll(drawnStep).toBe('step 100 · 2/3');
}

test('a run whose rows keep their identity: steps animate from where each row was, and trails join its places', async () => {
  // 50 rows, listed in a different order each step (a rolling buffer); row r sits at (r, step / 10).
  const order = (step: number) => Array.from({ length: 50 }, (_, i) => (i * 7 + step) % 50);
  const at = (step: number) => { const rows = order(step); return { ids: Uint32Array.from(rows), x: Float32Array.from(rows), y: Float32Array.from(rows, () => step / 10) }; };
  synthetic = {
    steps: [10, 20, 30],
    stepData: (step) => ({ type: 'stepData', step, align: false, warnings: [], spaces: [{ name: 'latent', ...at(step), fields: [{ name: 'label', kind: 'category', codes: Uint32Array.from(order(step), (r) => r % 3), categories: packTexts(['a', 'b', 'c']) }] }] }),
    trail: (step, { latent: indices }, length) => {
      const shown = synthetic!.steps.filter((s) => s <= step).slice(-length);
      const rows = indices.map((i) => order(step)[i]);
      const x: number[] = [], y: number[] = [];
      for (const s of shown) for (const r of rows) { const j = order(s).indexOf(r); x.push(at(s).x[j]); y.push(at(s).y[j]); }
      return { type: 'trail', step, off: [], spaces: [{ name: 'latent', steps: shown, x: Float32Array.from(x), y: Float32Array.from(y) }] };
    },
  };
  await view.page.evaluate(() => {
    const w = window as unknown as { __frames: number };
    w.__frames = 0;
    document.querySelector('[data-testid=plot]')!.addEventListener('runreel-transition-frame', () => w.__frames++);
  });
  const frames = () => view.page.evaluate(() => (window as unknown as { __frames: number }).__frames);
  await postRun('rolling', synthetic.steps.map((step) => ({ step, npz: true })));
  await expect.poll(drawnStep).toBe('step 30 · 3/3');
  await view.page.locator('[data-testid=slider]').focus();
  await view.page.keyboard.press('ArrowLeft');
  await expect.poll(drawnStep).toBe('step 20 · 2/3');
  // Every row was there at step 30: each starts from its own place (matched by id, not index).
  expect(await view.page.locator('[data-testid=plot]').getAttribute('data-transition-rows')).toBe('50');
  expect(await frames()).toBeGreaterThanOrEqual(2);
  // Lasso everything, trail 5: one segment per row between steps 10 and 20.
  await view.page.locator('[data-testid=trail]').selectOption('5');
  const s = (await spaces())[0];
  const canvas = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
  const [l, t, r, b] = [canvas.x + s.rect.left + 2, canvas.y + s.rect.top + 2, canvas.x + s.rect.left + s.rect.width - 2, canvas.y + s.rect.top + s.rect.height - 2];
  await view.page.mouse.move(l, t);
  await view.page.mouse.down();
  for (const [x, y] of [[r, t], [r, b], [l, b], [l, t + 4]]) await view.page.mouse.move(x, y, { steps: 6 });
  await view.page.mouse.up();
  await expect.poll(() => view.page.locator('[data-testid=plot]').getAttribute('data-trail-segments'), { timeout: 10_000 }).toBe('50');
  // A lasso over the left half: the rows it picked, as the trail asked for them.
  const lastTrail = () => view.sent.filter((m) => m.type === 'requestTrail').at(-1) as { step: number; rows: { latent: number[] } } | undefined;
  const trailRows = (step: number) => lastTrail()!.rows.latent.map((i) => order(step)[i]).sort((a, b) => a - b);
  const mid = (l + r) / 2;
  await view.page.mouse.move(l, t);
  await view.page.mouse.down();
  for (const [x, y] of [[mid, t], [mid, b], [l, b], [l, t + 4]]) await view.page.mouse.move(x, y, { steps: 6 });
  await view.page.mouse.up();
  await expect.poll(() => lastTrail()?.rows.latent.length).toBeLessThan(50);
  const picked = trailRows(20);
  expect(picked.length).toBeGreaterThan(10);
  expect(picked.every((row) => row < 30)).toBe(true);
  // Switched off: the next step is drawn in place.
  await view.page.locator('[data-testid=animate]').uncheck();
  const seen = await frames();
  await view.page.locator('[data-testid=slider]').focus();
  await view.page.keyboard.press('ArrowRight');
  await expect.poll(drawnStep).toBe('step 30 · 3/3');
  expect(await frames()).toBe(seen);
  // Step 30 lists the rows in another order: the same rows stay selected, found by id.
  await expect.poll(() => lastTrail()?.step).toBe(30);
  expect(trailRows(30)).toEqual(picked);
  await view.page.locator('[data-testid=animate]').check();
  await view.page.mouse.dblclick((l + r) / 2, (t + b) / 2);
  await view.page.locator('[data-testid=trail]').selectOption('0');
  // Back to the fixture, at step 100 (step 30 is gone from the list: the page moves to the newest first).
  await backToFixture();
  expect(view.errors()).toEqual([]);
});

test('a selection whose rows are not written at the next step says how many it lost, and that none is left', async () => {
  // Step 10 writes rows 0–49, step 20 rows 25–74 (half of them), step 30 rows 100–149 (none).
  const rowsAt: Record<number, number[]> = { 10: Array.from({ length: 50 }, (_, i) => i), 20: Array.from({ length: 50 }, (_, i) => 25 + i), 30: Array.from({ length: 50 }, (_, i) => 100 + i) };
  synthetic = {
    steps: [10, 20, 30],
    stepData: (step) => ({ type: 'stepData', step, align: false, warnings: [], spaces: [{ name: 'latent', ids: Uint32Array.from(rowsAt[step]), x: Float32Array.from(rowsAt[step], (r) => r % 50), y: Float32Array.from(rowsAt[step], (r) => (r * 13) % 50), fields: [] }] }),
    trail: (step) => ({ type: 'trail', step, off: [], spaces: [] }),
  };
  await postRun('shrinking', synthetic.steps.map((step) => ({ step, npz: true })));
  await view.page.locator('[data-testid=slider]').fill('0');
  await expect.poll(drawnStep).toBe('step 10 · 1/3');
  const s = (await spaces())[0];
  const canvas = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
  const [l, t, r, b] = [canvas.x + s.rect.left + 2, canvas.y + s.rect.top + 2, canvas.x + s.rect.left + s.rect.width - 2, canvas.y + s.rect.top + s.rect.height - 2];
  const lassoAll = async () => {
    await view.page.mouse.move(l, t);
    await view.page.mouse.down();
    for (const [x, y] of [[r, t], [r, b], [l, b], [l, t + 4]]) await view.page.mouse.move(x, y, { steps: 6 });
    await view.page.mouse.up();
  };
  const selection = () => view.page.locator('[data-testid=selection]').textContent();
  await lassoAll();
  await expect.poll(selection).toBe('50 selected · double-click to clear');
  await view.page.locator('[data-testid=slider]').fill('1');
  await expect.poll(drawnStep).toBe('step 20 · 2/3');
  await expect.poll(selection).toBe('25 selected · double-click to clear · 25 of the 50 selected points are not at step 20');
  expect((await spaces())[0].selected).toBe(25);
  await view.page.locator('[data-testid=slider]').fill('2');
  await expect.poll(drawnStep).toBe('step 30 · 3/3');
  await expect.poll(selection).toBe('lasso points to select them in every space · wheel zooms · none of the 25 selected points is at step 30');
  // A new selection starts afresh.
  await lassoAll();
  await expect.poll(selection).toBe('50 selected · double-click to clear');
  await view.page.mouse.dblclick((l + r) / 2, (t + b) / 2);
  await expect.poll(selection).toMatch(/^lasso points to select them in every space · wheel zooms$/);
  await backToFixture();
  expect(view.errors()).toEqual([]);
});

test('Export PNG sends the host a PNG of the plot at twice its size', async () => {
  await view.page.locator('[data-testid=export]').click();
  await expect.poll(() => view.sent.filter((m) => m.type === 'exportPng').length, { timeout: 15_000 }).toBe(1);
  const sent = view.sent.find((m) => m.type === 'exportPng')!;
  expect(sent.step).toBe(100);
  const png = Buffer.from(String(sent.dataUrl).replace(/^data:image\/png;base64,/, ''), 'base64');
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const width = png.readUInt32BE(16);
  const plotWidth = await view.page.locator('[data-testid=plot]').evaluate((e) => e.clientWidth);
  expect(width).toBe(2 * Math.max(600, plotWidth));
});

test('hostile metadata stays text: a label with markup is shown literally in legend and hover', async () => {
  await view.post({
    type: 'stepData', step: 100, align: true, warnings: [],
    spaces: [{ name: 'latent', x: new Float32Array([0, 1]), y: new Float32Array([0, 1]), fields: [{ name: 'label', kind: 'category', codes: new Uint32Array([0, 1]), categories: packTexts(['<img src=x onerror="window.__pwned=1">', '<b>bold</b>']) }] }],
  });
  await view.page.locator('[data-testid=color-by]').selectOption('label');
  await expect.poll(() => view.page.locator('[data-testid=legend-item]').allTextContents()).toEqual(['<img src=x onerror="window.__pwned=1">', '<b>bold</b>']);
  expect(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await view.page.locator('[data-testid=legend] img, [data-testid=legend] b').count()).toBe(0);
  expect(view.errors()).toEqual([]);
});

test('a held-back name the host has no answer for shows as unknown ("—"), not "…"', async () => {
  await view.post({
    type: 'stepData', step: 100, align: true, warnings: [],
    spaces: [{ name: 'latent', x: new Float32Array([0, 1]), y: new Float32Array([0, 1]), fields: [{ name: 'sample_id', kind: 'category', codes: new Uint32Array([3, 7]), categories: packTexts([]), held: 9999 }] }],
  });
  await expect.poll(async () => (await spaces()).map((s) => s.points)).toEqual([2]);
  const at = await onPage(0, 0, 0);
  await view.page.mouse.move(at.x + 3, at.y + 3);
  await view.page.mouse.move(at.x, at.y, { steps: 2 });
  const tip = view.page.locator('[data-testid=tooltip]');
  await expect.poll(() => tip.textContent(), { timeout: 10_000 }).toBe('latent · point 0 · step 100\nsample_id: —');
  expect(view.sent.filter((m) => m.type === 'requestNames').at(-1)).toMatchObject({ step: 100, space: 'latent', field: 'sample_id', codes: [3] });
  expect(view.errors()).toEqual([]);
});

test('a held-back name the host could not read shows as unknown ("—") with the reason, and is asked again on a later hover', async () => {
  const failed = 'viz_step_100_embeddings.npz: truncated (the file ends at byte 1,024)';
  namesAnswer = (codes) => ({ asked: codes, names: {}, failed });
  try {
    await view.post({
      type: 'stepData', step: 100, align: true, warnings: [],
      spaces: [{ name: 'latent', x: new Float32Array([0, 1]), y: new Float32Array([0, 1]), fields: [{ name: 'sample_id', kind: 'category', codes: new Uint32Array([5, 8]), categories: packTexts([]), held: 9999 }] }],
    });
    await expect.poll(async () => (await spaces()).map((s) => s.points)).toEqual([2]);
    const at = await onPage(0, 0, 0);
    const hover = async () => { await view.page.mouse.move(at.x + 30, at.y - 30); await view.page.mouse.move(at.x, at.y, { steps: 2 }); };
    await hover();
    const tip = view.page.locator('[data-testid=tooltip]');
    await expect.poll(() => tip.textContent(), { timeout: 10_000 }).toBe('latent · point 0 · step 100\nsample_id: —');
    await expect.poll(() => view.page.locator('[data-testid=warnings]').textContent()).toContain(failed);
    const asks = () => view.sent.filter((m) => m.type === 'requestNames' && (m.codes as number[])[0] === 5).length;
    const asked = asks();
    expect(asked).toBeGreaterThanOrEqual(1);
    // Hovering again at once does not ask again (the reply alone must not start a loop of asks)…
    await hover();
    await new Promise((r) => setTimeout(r, 300));
    expect(asks()).toBe(asked);
    expect(await tip.textContent()).toBe('latent · point 0 · step 100\nsample_id: —');
    // …a hover after a while does, and the name the host now reads is shown.
    namesAnswer = (codes) => ({ asked: codes, names: Object.fromEntries(codes.map((c) => [c, `step100_s${c}`])) });
    await new Promise((r) => setTimeout(r, 1600));
    await hover();
    await expect.poll(() => tip.textContent(), { timeout: 10_000 }).toBe('latent · point 0 · step 100\nsample_id: step100_s5');
    expect(asks()).toBe(asked + 1);
    expect(await view.page.locator('[data-testid=warnings] li').filter({ hasText: failed }).count()).toBe(1);
    expect(view.errors()).toEqual([]);
  } finally {
    namesAnswer = undefined;
  }
});

test('steps with only a PNG show the image, on the same slider', async () => {
  await postRun('images', [50, 100, 150].map((step) => ({ step, npz: false, image: `${view.origin}/files/viz_step_${step}_pacmap.png` })));
  await view.page.locator('[data-testid=slider]').fill('0');
  const img = view.page.locator('[data-testid=step-image]');
  await expect.poll(() => img.evaluate((e: HTMLImageElement) => e.complete && e.naturalWidth > 0 && e.getAttribute('src')), { timeout: 10_000 }).toMatch(/viz_step_50_pacmap\.png$/);
  expect(await view.page.locator('[data-testid=plot]').isHidden()).toBe(true);
  await view.page.keyboard.press('End');
  await expect.poll(() => img.getAttribute('src')).toMatch(/viz_step_150_pacmap\.png$/);
  expect(await view.page.locator('[data-testid=step-label]').textContent()).toBe('step 150 · 3/3');
  expect(await img.getAttribute('alt')).toBe('snapshot image of step 150');
});

test('the real trainer with two hooked layers: a lasso in latent selects both LoRA rows of each sample, and the prompts', async () => {
  const snapshot = realProducer('acestep', 'trainer_desync', 'lightning_logs', '2026-12-01_19-19-45lora_experiment', 'viz_snapshots', 'viz_step_24_embeddings.npz');
  const real = await readStep(snapshot, undefined, new RowIds());
  synthetic = { steps: [24], stepData: (step) => ({ type: 'stepData', step, align: false, warnings: real.warnings, spaces: real.spaces }), trail: () => ({}) };
  await postRun('lora_experiment', [{ step: 24, npz: true }]);
  await expect.poll(drawnStep).toBe('step 24 · 1/1');
  expect((await spaces()).map((s) => [s.name, s.points])).toEqual([['latent', 100], ['lora', 200], ['prompt', 100]]);
  const lasso = async (k: number, part: number) => {
    const s = (await spaces())[k];
    const canvas = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
    const [l, t, b] = [canvas.x + s.rect.left + 2, canvas.y + s.rect.top + 2, canvas.y + s.rect.top + s.rect.height - 2];
    const r = l + (s.rect.width - 4) * part;
    await view.page.mouse.move(l, t);
    await view.page.mouse.down();
    for (const [x, y] of [[r, t], [r, b], [l, b], [l, t + 4]]) await view.page.mouse.move(x, y, { steps: 6 });
    await view.page.mouse.up();
  };
  await lasso(0, 1);
  await expect.poll(async () => (await spaces()).map((s) => s.selected)).toEqual([100, 200, 100]);
  // Part of latent: each sample's two LoRA rows (one per layer) and its prompt.
  await lasso(0, 0.5);
  await expect.poll(async () => (await spaces())[0].selected).toBeLessThan(100);
  const [latent, lora, prompt] = (await spaces()).map((s) => s.selected);
  expect(latent).toBeGreaterThan(0);
  expect([lora, prompt]).toEqual([2 * latent, latent]);
  expect(await view.page.locator('[data-testid=selection]').textContent()).toBe(`${latent} selected (${latent} in latent, ${lora} in lora, ${prompt} in prompt) · double-click to clear`);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-linked.png') });
  expect(view.errors()).toEqual([]);
  synthetic = undefined;
});

test('a step too large for one frame of software GL is drawn in chunks, and every point of every space reaches the screen', async () => {
  // 3 × 450,000 points: more than a frame's worth at the first guess of the GPU's rate. Point i
  // of a space falls in band i * 10 / n, drawn in that band's colour in a column of its own, so
  // a chunk left out or drawn twice from the start leaves a band missing.
  const n = 450_000;
  // Made in the page: 1.35 M points through the test's JSON bridge would take most of a minute.
  const names = packTexts(Array.from({ length: 10 }, (_, b) => `band ${b}`));
  const postInPage = (step: number) => view.page.evaluate(({ step, n, utf8, ends }) => {
    const categories = { utf8: Uint8Array.from(utf8), ends: Uint32Array.from(ends) };
    const band = (i: number) => Math.floor((i * 10) / n);
    const space = (name: string) => ({ name, ids: Uint32Array.from({ length: n }, (_, i) => i), x: Float32Array.from({ length: n }, (_, i) => band(i) * 10 + (i % 7)), y: Float32Array.from({ length: n }, (_, i) => i % 11), fields: [{ name: 'band', kind: 'category', codes: Uint8Array.from({ length: n }, (_, i) => band(i)), categories }] });
    // In parts, as the host posts a step this large (17 MB).
    const posts = (window as unknown as { __parts: { splitMessage(m: unknown): unknown[] } }).__parts.splitMessage({ type: 'stepData', step, align: false, warnings: [], spaces: ['a', 'b', 'c'].map(space) });
    if (posts.length < 3) throw new Error(`the step went in ${posts.length} posts`);
    for (const m of posts) window.postMessage(m, '*');
  }, { step, n, utf8: Array.from(names.utf8), ends: Array.from(names.ends) });
  await view.page.evaluate(partsScript()); // DevTools' evaluate: the page's CSP allows no inline script
  synthetic = { steps: [1], stepData: (step) => { void postInPage(step); return undefined; }, trail: () => ({}) };
  await postRun('large', [{ step: 1, npz: true }]);
  await expect.poll(drawnStep, { timeout: 60_000 }).toBe('step 1 · 1/1');
  expect(Number(await view.page.locator('[data-testid=plot]').getAttribute('data-draw-chunks'))).toBeGreaterThanOrEqual(2);
  // Nothing selected (the test before left a lasso) and coloured by band: drawn again, as passes of their own.
  await view.page.locator('[data-testid=scatter-axes]').dblclick();
  await expect.poll(() => view.page.locator('[data-testid=selection]').textContent()).toMatch(/^lasso points/);
  await view.page.locator('[data-testid=color-by]').selectOption('band');
  await expect.poll(async () => (await spaces()).map((s) => s.colour)).toEqual(['band', 'band', 'band']);
  await expect.poll(drawnStep, { timeout: 60_000 }).toBe('step 1 · 1/1');
  const info = await spaces();
  expect(info.map((s) => s.points)).toEqual([n, n, n]);
  const canvas = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
  for (const s of info) {
    const png = decodePng(await view.page.screenshot({ clip: { x: canvas.x + s.rect.left, y: canvas.y + s.rect.top, width: s.rect.width, height: s.rect.height } }), 'screenshot');
    const bands = new Set<number>();
    for (let i = 0; i < png.width * png.height; i++) {
      const k = TAB10_RGB.findIndex((c) => c.every((v, j) => Math.abs(v - png.data[4 * i + j]) <= 3));
      if (k >= 0) bands.add(k);
    }
    expect([...bands].sort((a, b) => a - b), s.name).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
  expect(view.errors()).toEqual([]);
  synthetic = undefined;
}, 120_000);

test('spaces named like Object\'s own properties: fixed axes only where the host sent them, own extents elsewhere', async () => {
  // `constructor` has no fixed axes: looked up on a plain record it found Object itself, and the space had no extent.
  const space = (name: string, x0: number) => ({ name, ids: Uint32Array.from({ length: 20 }, (_, i) => i), x: Float32Array.from({ length: 20 }, (_, i) => x0 + i), y: Float32Array.from({ length: 20 }, (_, i) => i % 5), fields: [] });
  synthetic = { steps: [7], stepData: (step) => ({ type: 'stepData', step, align: false, warnings: [], spaces: [space('constructor', 100), space('__proto__', 0), space('toString', -50)] }), trail: () => ({}) };
  const fixed = JSON.parse('{"__proto__": {"x": [-1000, 1000], "y": [-10, 10]}}') as object;
  await postRun('own names', [{ step: 7, npz: true }], () => fixed);
  await expect.poll(drawnStep, { timeout: 20_000 }).toBe('step 7 · 1/1');
  // (The step may be drawn before the axes come, and again after.)
  await expect.poll(async () => (await spaces()).map((s) => [s.name, s.name === '__proto__' ? [s.x, s.y] : []])).toEqual([['constructor', []], ['__proto__', [[-1000, 1000], [-10, 10]]], ['toString', []]]);
  const info = await spaces();
  for (const [s, lo] of [[info[0], 100], [info[2], -50]] as const) {
    expect(s.x[0], s.name).toBeLessThanOrEqual(lo);
    expect(s.x[0], s.name).toBeGreaterThan(lo - 10);
    expect(s.x[1], s.name).toBeGreaterThanOrEqual(lo + 19);
    expect(s.x[1], s.name).toBeLessThan(lo + 30);
  }
  expect(view.errors()).toEqual([]);
  synthetic = undefined;
});
