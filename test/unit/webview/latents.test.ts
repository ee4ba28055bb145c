/// <reference lib="dom" />
// The Latent Store webview in headless Chromium, its host the real LatentStoreSession over
// the producer's store, with the page's clock set 23.5 h after the records were written:
// generations, time left and the expiring badge, orphans and a corrupt record, params as
// text, Copy Latent ID, and a comparison whose heatmap is A − B.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LatentStoreSession } from '../../../src/domain/latents/storeSession';
import { TENSORS } from '../helpers';
import { WebviewPage } from './page';

const STORE = join(TENSORS, 'store');
const WALL = 1763700000;
const expected = JSON.parse(readFileSync(join(TENSORS, 'store.expected.json'), 'utf8'));
const ids: Record<string, string> = expected.ids;
let view: WebviewPage;
let session: LatentStoreSession;
const copied: string[] = [];
const inspected: string[] = [];

beforeAll(async () => {
  view = await WebviewPage.open('latents', { styles: ['uplot.css'], webgl: false, viewport: { width: 1300, height: 1400 }, boot: { dir: STORE } });
  await view.page.clock.install({ time: new Date((WALL + 23.5 * 3600) * 1000) });
  session = new LatentStoreSession(STORE, { post: (m) => void view.post(m), copy: (t) => copied.push(t), inspect: (p) => inspected.push(p), reveal: () => {} }, () => 24);
  await view.serve(session);
}, 60_000);
afterAll(() => view?.closeWith(session));

const byTestId = (id: string) => view.page.locator(`[data-testid=${id}]`);
const row = (key: string) => view.page.locator(`tr[data-id="${ids[key]}"]`);

test('records grouped by generation, with time left, pinned, orphans and errors', async () => {
  await expect.poll(() => byTestId('record-count').textContent(), { timeout: 20_000 }).toBe('10 latents');
  // The first generation's rows follow its heading, checkpoints first.
  const order = await view.page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id') ?? `# ${tr.textContent}`));
  const at = order.findIndex((x) => x === ids.ckpt2);
  expect(order[at - 1]).toMatch(/^# generate · acestep-v15-base · 2 checkpoints \+ 1 final — lofi piano, rain$/);
  expect(order.slice(at, at + 3)).toEqual([ids.ckpt2, ids.ckpt4, ids.final]);
  expect(await row('ckpt4').locator('td').nth(3).textContent()).toBe('step 4');
  expect(await row('ckpt2').locator('[data-testid=time-left]').textContent()).toBe('⚠ 30 min');
  expect(await row('again').locator('[data-testid=time-left]').textContent()).toBe('2 h 30 min');
  expect(await row('bf16').locator('[data-testid=time-left]').textContent()).toBe('pinned');
  expect(await byTestId('expiring-badge').textContent()).toMatch(/^⚠ \d+ expiring within the hour$/);
  expect(await row('notensor').textContent()).toContain('orphaned: tensor file missing');
  expect(await row('norecord').textContent()).toContain('orphaned: JSON record missing');
  expect(await row('corrupt').textContent()).toMatch(/⚠ .*bad JSON|⚠ .*JSON|⚠ .*ended|⚠ .*unterminated/i);
  expect(view.errors()).toEqual([]);
});

test('the clock moves on: time left counts down and expired records say so', async () => {
  await view.page.clock.runFor(31 * 60_000);
  await expect.poll(() => row('ckpt2').locator('[data-testid=time-left]').textContent()).toBe('expired');
  expect(await row('again').locator('[data-testid=time-left]').textContent()).toBe('1 h 59 min');
});

test('a record: params and LM metadata as text, Copy Latent ID, Open in Inspector', async () => {
  await row('final').click();
  await expect.poll(() => byTestId('latent-id').textContent()).toBe(ids.final);
  expect(await byTestId('record-facts').textContent()).toMatch(/^generate · acestep-v15-base · [\d.]+ (B|KiB) · created /);
  expect(JSON.parse((await byTestId('params').textContent())!)).toEqual({ caption: 'lofi piano, rain', inference_steps: 8, seed: 42 });
  expect(JSON.parse((await byTestId('lm').textContent())!)).toMatchObject({ key: 'A minor' });
  await byTestId('copy-id').click();
  await expect.poll(() => copied).toEqual([ids.final]);
  await byTestId('inspect').click();
  await expect.poll(() => inspected).toEqual([join(STORE, `${ids.final}.safetensors`)]);
  await row('notensor').click();
  expect(await byTestId('inspect').isDisabled()).toBe(true);
});

test('filter words', async () => {
  await byTestId('filter').fill('orphan');
  await expect.poll(() => view.page.locator('tbody tr[data-id]').count()).toBe(2);
  await byTestId('filter').fill('refine');
  await expect.poll(() => view.page.locator('tbody tr[data-id]').evaluateAll((t) => t.map((x) => x.getAttribute('data-id')))).toEqual([ids.f16]);
  await byTestId('filter').fill('');
});

test('compare two latents: per-step cosine, and the heatmap is A − B (red where A > B, blue where A < B)', async () => {
  await row('final').locator('input[type=checkbox]').check();
  await row('ckpt4').locator('input[type=checkbox]').check();
  await byTestId('compare').click();
  await expect.poll(() => byTestId('compare-overall').locator('[data-stat=cosine] .stat-value').textContent(), { timeout: 10_000 }).toBe(String(Number(expected.overallCosine.toPrecision(5))));
  const heatmap = byTestId('comparison').locator('[data-testid=heatmap]');
  expect(await heatmap.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([32, 8]);
  // The sign of each pixel's colour: red where A > B, blue where A < B.
  const pixels = await heatmap.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
  const diff: number[][] = expected.diff;
  let checked = 0;
  for (let step = 0; step < 32; step++) {
    for (let ch = 0; ch < 8; ch++) {
      const d = diff[step][ch];
      if (Math.abs(d) < 0.2) continue;
      const p = 4 * (ch * 32 + step);
      const [r, , b] = pixels.slice(p, p + 3);
      expect(d > 0 ? r > b : b > r).toBe(true);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(20);
  expect(await byTestId('compare-chart').locator('canvas').count()).toBeGreaterThan(0);
  // A shape mismatch is explained before asking.
  await row('final').locator('input[type=checkbox]').uncheck();
  await row('other').locator('input[type=checkbox]').check();
  await expect.poll(() => view.page.locator('.controls .muted').first().textContent()).toBe('Shapes differ: [1, 32, 8] and [1, 16, 8]');
  await byTestId('compare').click();
  await expect.poll(() => byTestId('comparison').textContent()).toMatch(/shapes differ/);
  expect(view.errors()).toEqual([]);
});
