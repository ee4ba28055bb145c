/// <reference lib="dom" />
// The Safetensors Inspector webview in headless Chromium, its host the real InspectorSession
// over the producer's file: tables (hostile metadata as text), filtering, statistics, and the
// heatmap's pixels for a tensor of known values; hover readout and drag-to-zoom.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { InspectorSession } from '../../../src/domain/tensors/inspectorSession';
import { colormapTable } from '../../../webview/common/colormaps';
import { realProducer, TENSORS } from '../helpers';
import { WebviewPage } from './page';

const FILE = join(TENSORS, 'stats.safetensors');
let view: WebviewPage;
let session: InspectorSession;
const copied: string[] = [];

beforeAll(async () => {
  view = await WebviewPage.open('inspector', { webgl: false, viewport: { width: 1200, height: 1000 }, boot: { file: FILE } });
  // In parts of 4 KB: every message with arrays here also crosses the parts transport.
  session = new InspectorSession(FILE, { post: (m) => void view.postParts(m), copy: (t) => copied.push(t) });
  await view.serve(session);
}, 60_000);
afterAll(() => view?.closeWith(session));

const byTestId = (id: string) => view.page.locator(`[data-testid=${id}]`);

test('header: tensors, dtype totals and metadata; file text stays text', async () => {
  await expect.poll(() => byTestId('file-name').textContent(), { timeout: 20_000 }).toBe('stats.safetensors');
  await expect.poll(() => byTestId('tensors').locator('tbody tr').count()).toBe(5);
  expect(await byTestId('totals').locator('tbody tr').allTextContents()).toContainEqual(expect.stringMatching(/^BF1612,0484\.0 KiB$/));
  const meta = byTestId('metadata');
  expect(await meta.locator('tbody tr', { hasText: '<b>html</b>' }).locator('td').textContent()).toBe('<img src=x onerror=alert(1)>');
  expect(await view.page.locator('#app img, #app b').count()).toBe(0);
  expect(view.errors()).toEqual([]);
});

test('the real LoRA weights in a narrow editor: every number whole on one line; only the long names wrap', async () => {
  const file = realProducer('acestep', 'trainer', 'lightning_logs', '2026-12-01_19-19-48lora_experiment', 'checkpoints', 'epoch=4-step=50_lora', 'pytorch_lora_weights.safetensors');
  const lora = await WebviewPage.open('inspector', { webgl: false, viewport: { width: 600, height: 700 }, boot: { file } });
  const loraSession = new InspectorSession(file, { post: (m) => void lora.postParts(m), copy: () => {} });
  try {
    await lora.serve(loraSession);
    const rows = lora.page.locator('[data-testid=tensors] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThan(10);
    // Line boxes of each cell's text: a shape broken as "[4, 256" / "0]" reads as two numbers.
    const lines = await rows.evaluateAll((trs) => trs.map((r) => Array.from(r.querySelectorAll('td'), (td) => {
      const range = document.createRange();
      range.selectNodeContents(td);
      return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.bottom))).size;
    })));
    await lora.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'inspector-narrow.png') });
    expect(lines.every(([, ...numbers]) => numbers.every((n) => n === 1)), JSON.stringify(lines.slice(0, 3))).toBe(true);
    // The table fits the page: the names wrap instead.
    expect(await lora.page.locator('[data-testid=tensors]').evaluate((t) => Math.round(t.getBoundingClientRect().right) <= document.documentElement.clientWidth)).toBe(true);
    expect(lora.errors()).toEqual([]);
  } finally {
    await lora.closeWith(loraSession);
  }
});

test('filter by name', async () => {
  await byTestId('filter').fill('PLANE');
  await expect.poll(() => byTestId('tensors').locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/^f16_planeF16\[64, 16\]/)]);
  expect(await byTestId('tensor-count').textContent()).toBe('1 of 5 tensors');
  await byTestId('filter').fill('');
});

test('a tensor of known values: stats, and each heatmap pixel is its value in the colour map', async () => {
  await byTestId('tensors').locator('tr[data-name=known]').click();
  await expect.poll(() => byTestId('stats').locator('[data-stat=max] .stat-value').textContent(), { timeout: 10_000 }).toBe('135');
  expect(await byTestId('stats').locator('[data-stat=min] .stat-value').textContent()).toBe('0');
  expect(await byTestId('stats').locator('[data-stat=NaN] .stat-value').textContent()).toBe('0');
  await byTestId('copy-name').click();
  await expect.poll(() => copied).toEqual(['known']);
  // [2, 4, 6] is shown as batch item 0's plane, 4 steps across × 6 channels down.
  await expect.poll(() => byTestId('heatmap').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([4, 6]);
  const pixels = await byTestId('heatmap').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
  const table = colormapTable('viridis');
  for (let step = 0; step < 4; step++) {
    for (let ch = 0; ch < 6; ch++) {
      const value = 10 * step + ch; // known[0, step, ch]
      const k = Math.round((value / 35) * 255); // colour range = the plane's min…max, 0…35
      const p = 4 * (ch * 4 + step);
      expect(pixels.slice(p, p + 3)).toEqual([table[3 * k], table[3 * k + 1], table[3 * k + 2]]);
    }
  }
});

test('hover reads the value; another batch item; drag zooms into a window', async () => {
  await byTestId('lead-0').fill('1');
  await byTestId('lead-0').dispatchEvent('change');
  await expect.poll(() => byTestId('plane-status').textContent()).toBe('rows 0–3 of 4, columns 0–5 of 6');
  await byTestId('heatmap').scrollIntoViewIfNeeded();
  const box = (await byTestId('heatmap').boundingBox())!;
  // Pixel (step 2, channel 3) centre.
  await view.page.mouse.move(box.x + box.width * (2.5 / 4), box.y + box.height * (3.5 / 6));
  await expect.poll(() => byTestId('heatmap-readout').textContent()).toBe('step 2 · channel 3: 123');
  // Drag over steps 1–2, channels 2–4.
  await view.page.mouse.move(box.x + box.width * (1.2 / 4), box.y + box.height * (2.2 / 6));
  await view.page.mouse.down();
  await view.page.mouse.move(box.x + box.width * (2.8 / 4), box.y + box.height * (4.8 / 6), { steps: 4 });
  await view.page.mouse.up();
  await expect.poll(() => byTestId('plane-status').textContent()).toBe('rows 1–2 of 4, columns 2–4 of 6 (zoomed)');
  expect(await byTestId('heatmap').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([2, 3]);
  await byTestId('zoom-out').click();
  await expect.poll(() => byTestId('plane-status').textContent()).toBe('rows 0–3 of 4, columns 0–5 of 6');
});

test('NaN, Inf and zero counts are shown and flagged; scalars have no slice', async () => {
  await byTestId('tensors').locator('tr[data-name=f32_special]').click();
  await expect.poll(() => byTestId('stats').locator('[data-stat=NaN] .stat-value').textContent(), { timeout: 10_000 }).toBe('3');
  expect(await byTestId('stats').locator('[data-stat="+Inf"] .stat-value').textContent()).toBe('2');
  expect(await byTestId('stats').locator('.stat.warn').count()).toBe(3);
  await byTestId('tensors').locator('tr[data-name=scalar]').click();
  await expect.poll(() => byTestId('detail').textContent()).toContain('A scalar has no 2-D slice to show.');
  await expect.poll(() => byTestId('stats').locator('[data-stat=mean] .stat-value').textContent()).toBe('3.5');
  expect(view.errors()).toEqual([]);
});
