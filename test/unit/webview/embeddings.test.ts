/// <reference lib="dom" />
// The Embedding Timeline webview in headless Chromium, fed by a host made of the real
// readers over the producer-written fixture snapshots.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listSnapshotSteps, readStep, TimelineGeometry } from '../../../src/domain/embeddings/timeline';
import { WebviewPage } from './page';

const DIR = join(__dirname, '..', '..', 'fixtures', 'workspace', 'lightning_logs', 'version_0', 'viz_snapshots');
let view: WebviewPage;

interface Gd { data: { name?: string; x: ArrayLike<number>; type: string; mode: string; xaxis: string }[]; _fullLayout: Record<string, { _offset: number; l2p(v: number): number }> }

beforeAll(async () => {
  const steps = await listSnapshotSteps(DIR);
  const geometry = new TimelineGeometry();
  for (const s of steps) await geometry.add(s.step, s.npz!);
  view = await WebviewPage.open('embeddings', { libraries: ['plotly.min.js'], inlineStyles: true, boot: { dir: DIR, align: true, follow: true, trail: 0 }, files: DIR });
  view.onMessage(async (m) => {
    if (m.type === 'ready') {
      await view.post({ type: 'steps', title: 'version_0', warnings: [], steps: steps.map((s) => ({ step: s.step, npz: true, image: `${view.origin}/files/viz_step_${s.step}_pacmap.png` })) });
      await view.post({ type: 'bounds', align: true, bounds: geometry.bounds(true) });
    } else if (m.type === 'requestStep') {
      const step = m.step as number;
      const { spaces, warnings } = await readStep(steps.find((s) => s.step === step)!.npz!, m.align ? geometry.alignmentsOf(step) : undefined);
      await view.post({ type: 'stepData', step, align: m.align, spaces, warnings });
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
  expect(await view.page.locator('[data-testid=color-by]').inputValue()).toBe('label');
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
