/// <reference lib="dom" />
// The Embedding Timeline webview in headless Chromium, fed by a host made of the real
// readers over the producer-written fixture snapshots.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listSnapshotSteps, readStep, readTrail, TimelineGeometry } from '../../../src/domain/embeddings/timeline';
import { WebviewPage } from './page';

const DIR = join(__dirname, '..', '..', 'fixtures', 'workspace', 'lightning_logs', 'version_0', 'viz_snapshots');
let view: WebviewPage;

interface Gd { data: { name?: string; x: ArrayLike<number>; type: string; mode: string; xaxis: string }[]; _fullLayout: Record<string, { _offset: number; l2p(v: number): number }> }

beforeAll(async () => {
  const steps = await listSnapshotSteps(DIR);
  const geometry = new TimelineGeometry();
  for (const s of steps) await geometry.add(s.step, s.snapshot!);
  view = await WebviewPage.open('embeddings', { libraries: ['plotly.min.js'], inlineStyles: true, boot: { dir: DIR, align: true, follow: true, trail: 0 }, files: DIR });
  view.onMessage(async (m) => {
    if (m.type === 'ready') {
      await view.post({ type: 'steps', title: 'version_0', warnings: [], steps: steps.map((s) => ({ step: s.step, npz: true, image: `${view.origin}/files/viz_step_${s.step}_pacmap.png` })) });
      await view.post({ type: 'bounds', align: true, bounds: geometry.bounds(true) });
    } else if (m.type === 'requestStep') {
      const step = m.step as number;
      const { spaces, warnings } = await readStep(steps.find((s) => s.step === step)!.snapshot!, m.align ? geometry.alignmentsOf(step) : undefined);
      await view.post({ type: 'stepData', step, align: m.align, spaces, warnings });
    } else if (m.type === 'requestTrail') {
      const i = steps.findIndex((s) => s.step === m.step);
      const indices = m.indices as number[];
      const { spaces, off } = await readTrail(steps.slice(Math.max(0, i - (m.length as number) + 1), i + 1), steps[i], indices, m.align ? geometry : undefined);
      await view.post({ type: 'trail', step: m.step, indices, spaces, off });
    }
  });
  await view.load();
}, 60_000);
afterAll(async () => view?.close());

async function drawnStep(): Promise<string> {
  await view.page.waitForFunction(() => (document.querySelector('[data-testid=plot]') as unknown as { data?: unknown[] }).data?.length);
  return (await view.page.locator('[data-testid=step-label]').textContent()) ?? '';
}

test('follows the latest step: one WebGL trace per label per space, every point plotted', async () => {
  await expect.poll(drawnStep, { timeout: 20_000 }).toBe('step 150 · 3/3');
  const traces = await view.page.evaluate(() => (document.querySelector('[data-testid=plot]') as unknown as Gd).data.map((t) => ({ name: t.name, n: t.x.length, type: t.type, axis: t.xaxis })));
  expect(new Set(traces.map((t) => t.type))).toEqual(new Set(['scattergl']));
  // The fixture's spaces hold 60, 40 and 30 points, on x, x2, x3.
  const perAxis = (a: string) => traces.filter((t) => t.axis === a).reduce((n, t) => n + t.n, 0);
  expect([perAxis('x'), perAxis('x2'), perAxis('x3')]).toEqual([60, 40, 30]);
  const labels = new Set(traces.map((t) => t.name));
  expect(labels.size).toBeGreaterThanOrEqual(2);
  expect(await view.page.locator('.legend .traces').count()).toBe(labels.size); // the legend shows each label once
  // "auto" picks the fixture's label field in every space.
  expect(await view.page.locator('[data-testid=color-by]').inputValue()).toBe('');
  expect(await view.page.locator('[data-testid=color-by]').getAttribute('title')).toMatch(/^auto: .*: label, .*: label, .*: label$/);
  expect(view.errors()).toEqual([]);
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

test('hovering a point shows its metadata as text', async () => {
  // Move the mouse onto the first point of the first trace, where Plotly's picking finds it.
  // Plotly throttles hover and picks on the drawn frame: keep moving onto the point until it answers.
  const tip = view.page.locator('[data-testid=tooltip]');
  let k = 0;
  await expect.poll(async () => {
    const at = await view.page.evaluate(() => {
      const gd = document.querySelector('[data-testid=plot]') as unknown as Gd;
      const box = (gd as unknown as HTMLElement).getBoundingClientRect();
      const t = gd.data[0] as unknown as { x: ArrayLike<number>; y: ArrayLike<number> };
      return { x: box.left + gd._fullLayout.xaxis._offset + gd._fullLayout.xaxis.l2p(t.x[0]), y: box.top + gd._fullLayout.yaxis._offset + gd._fullLayout.yaxis.l2p(t.y[0]) };
    });
    await view.page.mouse.move(at.x - 6 + (k++ % 2) * 12, at.y - 6);
    await view.page.mouse.move(at.x, at.y, { steps: 3 });
    return tip.isVisible();
  }, { timeout: 15_000, interval: 300 }).toBe(true);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-hover.png') });
  const text = (await tip.textContent()) ?? '';
  expect(text).toMatch(/^latent · point \d+ · step 100\n/);
  expect(text).toMatch(/\nlabel: \S+/);
  expect(text).toMatch(/\nprompt: .+/);
  expect(await tip.evaluate((e) => e.children.length)).toBe(0); // text only, no markup
});

test('colour by a number field gives one trace per space with a colour bar', async () => {
  await view.page.locator('[data-testid=color-by]').selectOption('loss');
  await view.page.waitForFunction(() => (document.querySelector('[data-testid=plot]') as unknown as Gd).data.length === 3);
  expect(await view.page.locator('.colorbar').count()).toBe(1);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-browser.png') });
});

test('a lasso in one space selects the same points in every space, with trails over the last steps', async () => {
  // Lasso the whole first subplot, as a user drags around a cluster.
  const box = await view.page.evaluate(() => {
    const gd = document.querySelector('[data-testid=plot]') as unknown as Gd;
    const r = (gd as unknown as HTMLElement).getBoundingClientRect();
    const xa = gd._fullLayout.xaxis as unknown as { _offset: number; _length: number };
    const ya = gd._fullLayout.yaxis as unknown as { _offset: number; _length: number };
    return { left: r.left + xa._offset + 2, top: r.top + ya._offset + 2, right: r.left + xa._offset + xa._length - 2, bottom: r.top + ya._offset + ya._length - 2 };
  });
  await view.page.locator('[data-testid=trail]').selectOption('5');
  await view.page.mouse.move(box.left, box.top);
  await view.page.mouse.down();
  for (const [x, y] of [[box.right, box.top], [box.right, box.bottom], [box.left, box.bottom], [box.left, box.top + 4]]) await view.page.mouse.move(x, y, { steps: 8 });
  await view.page.mouse.up();
  await expect.poll(() => view.page.locator('[data-testid=selection]').textContent(), { timeout: 10_000 }).toMatch(/^60 selected/);
  // Every space marks the same point numbers (the fixture's lora and prompt hold 40 and 30).
  const marked = await view.page.evaluate(() => {
    const gd = document.querySelector('[data-testid=plot]') as unknown as { data: { xaxis: string; mode: string; selectedpoints?: number[] }[] };
    return gd.data.filter((t) => t.mode === 'markers').map((t) => ({ axis: t.xaxis, n: t.selectedpoints?.length }));
  });
  expect(marked).toEqual([{ axis: 'x', n: 60 }, { axis: 'x2', n: 40 }, { axis: 'x3', n: 30 }]);
  const asked = view.sent.filter((m) => m.type === 'requestTrail').at(-1)!;
  expect([asked.step, asked.length, (asked.indices as number[]).length]).toEqual([100, 5, 60]);
  // The trail: one polyline per selected point through steps 50 and 100, NaN between points.
  await expect.poll(() => view.page.evaluate(() => (document.querySelector('[data-testid=plot]') as unknown as { data: { mode: string; x: number[] }[] }).data.filter((t) => t.mode === 'lines').map((t) => t.x.length)), { timeout: 10_000 })
    .toEqual([60 * 3, 60 * 3, 60 * 3]);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'embeddings-selection.png') });
  // Double-click clears it.
  await view.page.mouse.dblclick((box.left + box.right) / 2, (box.top + box.bottom) / 2);
  await expect.poll(() => view.page.locator('[data-testid=selection]').textContent()).toMatch(/^lasso points/);
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
    spaces: [{ name: 'latent', x: new Float32Array([0, 1]), y: new Float32Array([0, 1]), fields: [{ name: 'label', kind: 'category', codes: new Uint32Array([0, 1]), categories: ['<img src=x onerror="window.__pwned=1">', '<b>bold</b>'] }] }],
  });
  await view.page.locator('[data-testid=color-by]').selectOption('label');
  await expect.poll(() => view.page.locator('.legend text').allTextContents()).toEqual(['<img src=x onerror="window.__pwned=1">', '<b>bold</b>']);
  expect(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await view.page.locator('.legend img, .legend b').count()).toBe(0);
  expect(view.errors()).toEqual([]);
});

test('steps with only a PNG show the image, on the same slider', async () => {
  await view.post({ type: 'steps', title: 'images', warnings: [], steps: [50, 100, 150].map((step) => ({ step, npz: false, image: `${view.origin}/files/viz_step_${step}_pacmap.png` })) });
  await view.page.locator('[data-testid=slider]').fill('0');
  const img = view.page.locator('[data-testid=step-image]');
  await expect.poll(() => img.evaluate((e: HTMLImageElement) => e.complete && e.naturalWidth > 0 && e.getAttribute('src')), { timeout: 10_000 }).toMatch(/viz_step_50_pacmap\.png$/);
  expect(await view.page.locator('[data-testid=plot]').isHidden()).toBe(true);
  await view.page.keyboard.press('End');
  await expect.poll(() => img.getAttribute('src')).toMatch(/viz_step_150_pacmap\.png$/);
  expect(await view.page.locator('[data-testid=step-label]').textContent()).toBe('step 150 · 3/3');
  expect(await img.getAttribute('alt')).toBe('snapshot image of step 150');
});
