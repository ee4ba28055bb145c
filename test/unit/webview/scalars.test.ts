/// <reference lib="dom" />
// The Scalars webview in headless Chromium, its host the real ScalarsSession over copies of
// the real Lightning runs (../shared/real-producers/lightning): cards grouped by prefix, runs
// overlaid in colours they keep, smoothing against a reference EMA, log axes, hover text, the
// CSV export, a restarted job both ways, the hparams table, a click setting the step, and a
// point appended by a writer showing up live.
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ScalarRun } from '../../../src/domain/tensorboard/scalars';
import { ScalarsSession } from '../../../src/domain/tensorboard/scalarsSession';
import { DEFAULT_SCALARS } from '../../../src/protocol/scalars';
import { realProducer } from '../helpers';
import { WebviewPage } from './page';

const LIGHTNING = realProducer('lightning');
let root: string;
let view: WebviewPage;
let session: ScalarsSession;
let v0: string, v1: string, restarted: string, live: string;
const EVENTS_V0 = 'events.out.tfevents.1796152329.vm.17058.0';

/** TensorBoard's smoothing (its scalars plugin), written out here as the reference. */
function referenceEma(values: ArrayLike<number>, weight: number): number[] {
  const out: number[] = [];
  let last = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    last = last * weight + (1 - weight) * values[i];
    n++;
    out.push(last / (1 - weight ** n));
  }
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runreel-scalars-'));
  for (const d of ['lightning_logs', 'restarted_job', 'csv_logs']) cpSync(join(LIGHTNING, d), join(root, d), { recursive: true });
  v0 = join(root, 'lightning_logs', 'version_0');
  v1 = join(root, 'lightning_logs', 'version_1');
  restarted = join(root, 'restarted_job', 'version_0');
  live = join(root, 'live', 'version_0');
  mkdirSync(live, { recursive: true });
  view = await WebviewPage.open('scalars', { styles: ['uplot.css'], webgl: false, viewport: { width: 1400, height: 1000 }, boot: { ...DEFAULT_SCALARS, roots: [root], selected: [v0, v1] } });
  // In parts of 4 KB: every message with arrays here also crosses the parts transport.
  session = new ScalarsSession([root], (m) => void view.postParts(m).catch(() => {}), 200);
  view.onMessage(async (m) => {
    if (m.type === 'ready') await session.listRuns();
    else if (m.type === 'select') await session.select(m.runs as string[]);
  });
  await view.load();
}, 60_000);

afterAll(async () => {
  session?.dispose();
  await view?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const page = () => view.page;
const text = (sel: string) => page().locator(sel).first().textContent();
const card = (tag: string) => page().locator(`[data-testid=card][data-tag="${tag}"]`);

test('a card per tag, grouped by prefix, both runs overlaid with every point read', async () => {
  await expect.poll(() => text('[data-testid=summary]'), { timeout: 20_000 }).toMatch(/^2 runs · 9 tags · [\d,]+ points$/);
  const groups = () => page().locator('.scalar-group').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-group')}:${Array.from(e.querySelectorAll('[data-testid=card]')).map((c) => c.getAttribute('data-tag')).join(',')}`));
  await expect.poll(groups).toEqual([
    'extra:extra/val_loss_simple,extra/val_loss_tensor_f32,extra/val_loss_tensor_f64',
    'train:train/loss',
    'val:val/acc,val/loss',
    ':epoch,hp_metric,lr-AdamW',
    '#histograms:', // version_1's five weight histograms and its text summary: cards of their own (below)
    '#text:',
  ]);
  await expect.poll(() => card('train/loss').locator('.uplot').getAttribute('data-points')).toBe('400');
  // What else version_1's event files hold, and a way to its images.
  const media = page().locator('[data-testid=run][data-label="lightning_logs/version_1"] [data-testid=run-media]');
  expect(await media.textContent()).toBe('Also: 1 image tag · 1 audio tag · 5 histograms · 1 text tag Open Images Open Audio');
  expect(await page().locator('[data-testid=run][data-label="lightning_logs/version_0"] [data-testid=run-media]').count()).toBe(0);
  await media.locator('[data-testid=open-images]').click();
  await expect.poll(() => view.sent.find((m) => m.type === 'openImages')).toEqual({ type: 'openImages', run: v1 });
  await page().screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'scalars-browser.png'), fullPage: false });
});

test('each run keeps its colour: the list and the lines agree, and a run added or removed moves no one', async () => {
  const swatch = (dir: string) => page().locator(`[data-testid=runs] input[data-run="${dir}"] + .swatch`).evaluate((e) => getComputedStyle(e).backgroundColor);
  const [c0, c1] = [await swatch(v0), await swatch(v1)];
  expect(c0).not.toBe(c1);
  await page().locator(`[data-testid=runs] input[data-run="${restarted}"]`).check();
  await expect.poll(() => text('[data-testid=summary]')).toMatch(/^3 runs/);
  await page().locator(`[data-testid=runs] input[data-run="${v0}"]`).uncheck();
  await expect.poll(() => text('[data-testid=summary]')).toMatch(/^2 runs/);
  expect(await swatch(v1)).toBe(c1);
  const c2 = await swatch(restarted);
  expect([c0, c1]).not.toContain(c2);
  await page().locator(`[data-testid=runs] input[data-run="${v0}"]`).check();
  await page().locator(`[data-testid=runs] input[data-run="${restarted}"]`).uncheck();
  await expect.poll(() => text('[data-testid=summary]')).toMatch(/^2 runs · 9 tags/);
  expect([await swatch(v0), await swatch(v1)]).toEqual([c0, c1]);
  // The run filter narrows the list (a bad pattern says why and hides nothing).
  await page().locator('[data-testid=run-filter]').fill('csv');
  expect(await page().locator('[data-testid=run]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).toEqual(['csv_logs/version_0', 'lightning_logs/version_0', 'lightning_logs/version_1']);
  await page().locator('[data-testid=run-filter]').fill('(');
  await expect.poll(() => text('[data-testid=run-filter-error]')).toMatch(/^Not a regular expression/);
  await page().locator('[data-testid=run-filter]').fill('');
});

/** Hovers `tag`'s card at the x of step `step` and returns the tooltip's lines. */
async function hoverStep(tag: string, step: number): Promise<string[]> {
  await card(tag).scrollIntoViewIfNeeded();
  const over = card(tag).locator('.u-over');
  const box = (await over.boundingBox())!;
  const probe = async (x: number) => {
    await page().mouse.move(box.x + x, box.y + box.height / 2);
    const head = await page().locator('[data-testid=tooltip] strong').textContent();
    return Number(/step ([\d,]+)/.exec(head ?? '')![1].replace(/,/g, ''));
  };
  // Binary search on the pixel whose nearest point is `step`.
  let lo = 0, hi = box.width - 1;
  for (let k = 0; k < 14 && lo < hi; k++) {
    const mid = Math.floor((lo + hi) / 2);
    if (await probe(mid) < step) lo = mid + 1; else hi = mid;
  }
  await probe(lo);
  return page().locator('[data-testid=tooltip] > *').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}

/** Hovers the middle of `tag`'s card and returns the tooltip's lines. */
async function hoverTime(tag: string): Promise<string[]> {
  await card(tag).scrollIntoViewIfNeeded();
  const box = (await card(tag).locator('.u-over').boundingBox())!;
  await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  return page().locator('[data-testid=tooltip] > *').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}

test('smoothing is TensorBoard\'s debiased EMA over every point: the hover shows raw and smoothed values of both runs', async () => {
  await page().locator('[data-testid=smoothing-value]').fill('0.9');
  await page().locator('[data-testid=smoothing-value]').dispatchEvent('change');
  const r0 = new ScalarRun(v0), r1 = new ScalarRun(v1);
  await r0.update(); await r1.update();
  const s0 = r0.get('train/loss')!, s1 = r1.get('train/loss')!;
  const e0 = referenceEma(s0.values, 0.9), e1 = referenceEma(s1.values, 0.9);
  const i = Array.from(s0.steps).indexOf(999);
  const lines = await hoverStep('train/loss', 999);
  expect(lines[0]).toBe('train/loss · step 999');
  const parse = (l: string) => { const m = /: (\S+) · smoothed (\S+)$/.exec(l)!; return [Number(m[1]), Number(m[2])]; };
  const l0 = lines.find((l) => l.startsWith('lightning_logs/version_0:'))!, l1 = lines.find((l) => l.startsWith('lightning_logs/version_1:'))!;
  expect(parse(l0)[0]).toBeCloseTo(s0.values[i], 5);
  expect(parse(l0)[1]).toBeCloseTo(e0[i], 5);
  expect(parse(l1)[0]).toBeCloseTo(s1.values[i], 5);
  expect(parse(l1)[1]).toBeCloseTo(e1[i], 5);
  await page().mouse.move(5, 5);
});

test('Export CSV: every point of the charted runs, with the smoothed value', async () => {
  view.sent.length = 0;
  await page().locator('[data-testid=export-csv]').click();
  await expect.poll(() => view.sent.some((m) => m.type === 'exportCsv')).toBe(true);
  const csv = String(view.sent.find((m) => m.type === 'exportCsv')!.text).trim().split('\n');
  expect(csv[0]).toBe('run,tag,step,x_step,value,smoothed');
  const rows = csv.slice(1).map((l) => l.split(',')).filter((f) => f[0] === 'lightning_logs/version_0' && f[1] === 'train/loss');
  const r0 = new ScalarRun(v0);
  await r0.update();
  const s0 = r0.get('train/loss')!;
  expect(rows.length).toBe(200);
  expect(rows.map((f) => Number(f[2]))).toEqual(Array.from(s0.steps));
  expect(rows.map((f) => Number(f[4]))).toEqual(Array.from(s0.values));
  const ema = referenceEma(s0.values, 0.9);
  rows.forEach((f, k) => expect(Number(f[5])).toBeCloseTo(ema[k], 10));
});

test('log axes: log y leaves out what it cannot show and says so; log x leaves out step 0', async () => {
  await page().locator('[data-testid=log-y]').check();
  await card('hp_metric').scrollIntoViewIfNeeded();
  await expect.poll(() => card('hp_metric').locator('[data-testid=card-info]').textContent()).toBe('2 values ≤ 0 not shown on a log y axis') // hp_metric = −1 in both runs;
  await page().locator('[data-testid=log-y]').uncheck();
  await page().locator('[data-testid=log-x]').check();
  await expect.poll(() => card('hp_metric').locator('[data-testid=card-info]').textContent()).toBe('No points to show on this axis · 2 points not shown (step ≤ 0 on a log x axis)');
  expect(await card('hp_metric').locator('.uplot').count()).toBe(0);
  await page().locator('[data-testid=log-x]').uncheck();
  await expect.poll(() => card('hp_metric').locator('[data-testid=card-info]').textContent()).toBe('');
  expect(await card('hp_metric').locator('.uplot').count()).toBe(1);
});

test('a restarted job: TensorBoard\'s view by default, with the restart named; "Everything written" shows both files\' points', async () => {
  await page().locator(`[data-testid=runs] input[data-run="${restarted}"]`).check();
  await page().locator('[data-testid=tag-filter]').fill('^train/loss$');
  await expect.poll(() => page().locator('[data-testid=card]').count()).toBe(1);
  const run = page().locator(`[data-testid=run][data-label="restarted_job/version_0"]`);
  await expect.poll(() => run.textContent()).toContain('Restarted: the steps go back to 259–299 (where two files have a step, the later file\'s value is shown, as TensorBoard does; "Everything written" shows both)'); // train/loss to 259, val/* to 299
  // README: TensorBoard's Rust loader shows 80 points (steps 9…799 once), its Python loader 106.
  const points = () => card('train/loss').locator('.uplot').getAttribute('data-points');
  await expect.poll(points).toBe(String(200 + 200 + 80));
  // What TensorBoard's view leaves out is said: 26 of train/loss's 106 written points repeat a step.
  expect(await card('train/loss').locator('[data-testid=card-info]').textContent()).toBe('26 points at steps written again not shown (the last value of a step is; "Everything written" shows all)');
  const lines = await hoverStep('train/loss', 509);
  expect(lines.find((l) => l.startsWith('restarted_job/version_0:'))).toMatch(/^restarted_job\/version_0: 1\.5966 · smoothed /); // the second file's value at 509
  await page().locator('[data-testid=all-written]').check();
  await expect.poll(points).toBe(String(200 + 200 + 106));
  const both = await hoverStep('train/loss', 509);
  expect(both.filter((l) => l.startsWith('restarted_job/version_0'))).toEqual([
    expect.stringMatching(/^restarted_job\/version_0: 1\.92944 · smoothed /),
    expect.stringMatching(/^restarted_job\/version_0 \(after restart 1\): 1\.5966 · smoothed /),
  ]);
  await page().locator('[data-testid=all-written]').uncheck();
  await page().locator(`[data-testid=runs] input[data-run="${restarted}"]`).uncheck();
  await page().locator('[data-testid=tag-filter]').fill('');
  await page().mouse.move(5, 5);
});

test('the hparams table: both files\' hyperparameters and last · best metrics; sort, filter, and chart the rows left', async () => {
  await page().locator('.scalar-hparams-box > summary').click();
  const rows = () => page().locator('[data-testid=hparams] tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
  // The table is filled when it opens.
  await expect.poll(() => page().locator('[data-testid=hparams] thead th').count()).toBeGreaterThan(0);
  const head = await page().locator('[data-testid=hparams] thead th').evaluateAll((ths) => ths.map((th) => th.textContent));
  expect(head.slice(0, 7)).toEqual(['Run ▲', 'extras', 'hidden', 'lr', 'total_steps', 'warmup_steps', 'weight_decay'].map((h, k) => (k === 0 ? 'Run' : h)));
  expect(head).toContain('val/loss (last · best)');
  const table = await rows();
  expect(table.map((r) => r.slice(0, 4))).toEqual([['lightning_logs/version_0', 'false', '32', '0.001'], ['lightning_logs/version_1', 'true', '48', '0.003']]);
  const col = head.indexOf('val/loss (last · best)');
  expect(table[0][col]).toBe('1.64321 · 1.64321'); // README: 3.3296757 → 1.6432058, min = last
  expect(table[1][col]).toBe('1.63896 · 1.58005'); // 2.3440382 → 1.6389596, min 1.5800462
  await page().locator('[data-testid=hparams] th[data-sort="hp:lr"]').click();
  await page().locator('[data-testid=hparams] th[data-sort="hp:lr"]').click();
  expect((await rows()).map((r) => r[0])).toEqual(['lightning_logs/version_1', 'lightning_logs/version_0']);
  await page().locator('[data-testid=hparams-filter]').fill('^lightning_logs/version_1');
  await expect.poll(async () => (await rows()).length).toBe(1);
  await page().locator('[data-testid=hparams-only]').click();
  await expect.poll(() => text('[data-testid=summary]')).toMatch(/^1 run · 9 tags/);
  await page().locator('[data-testid=hparams-filter]').fill('');
  await page().locator(`[data-testid=runs] input[data-run="${v0}"]`).check();
  await expect.poll(() => text('[data-testid=summary]')).toMatch(/^2 runs · 9 tags/);
  await page().locator('.scalar-hparams-box > summary').click();
});

test('a click on a chart makes the nearest run\'s step its current step, marked on every card', async () => {
  view.sent.length = 0;
  await page().locator('[data-testid=tag-filter]').fill('^val/');
  await expect.poll(() => page().locator('[data-testid=card]').count()).toBe(2);
  await hoverStep('val/loss', 999);
  await page().mouse.down();
  await page().mouse.up();
  await expect.poll(() => view.sent.find((m) => m.type === 'step')).toMatchObject({ type: 'step', step: 999 });
  expect([v0, v1]).toContain(view.sent.find((m) => m.type === 'step')!.run);
  await expect.poll(() => card('val/acc').getAttribute('data-marks')).toBe('1');
  // A step set elsewhere (the step clock) is marked too.
  await view.post({ type: 'step', run: v1, step: 1999 });
  await expect.poll(() => card('val/acc').getAttribute('data-marks')).toBe('2');
  await page().locator('[data-testid=tag-filter]').fill('');
});

test('drag zooms into a window drawn from every point; double-click resets', async () => {
  await card('train/loss').scrollIntoViewIfNeeded();
  const over = card('train/loss').locator('.u-over');
  const box = (await over.boundingBox())!;
  await page().mouse.move(box.x + box.width * 0.2, box.y + 20);
  await page().mouse.down();
  await page().mouse.move(box.x + box.width * 0.4, box.y + 20, { steps: 5 });
  await page().mouse.up();
  await expect.poll(() => card('train/loss').locator('[data-testid=card-info]').textContent()).toBe('Zoomed: double-click to reset');
  const zoomed = Number(await card('train/loss').locator('.uplot').getAttribute('data-points'));
  expect(zoomed).toBeGreaterThan(40);
  expect(zoomed).toBeLessThan(200);
  view.sent.length = 0;
  await over.dblclick();
  await expect.poll(() => card('train/loss').locator('.uplot').getAttribute('data-points')).toBe('400');
  expect(await card('train/loss').locator('[data-testid=card-info]').textContent()).toBe('');
  await new Promise((r) => setTimeout(r, 400));
  expect(view.sent.filter((m) => m.type === 'step')).toEqual([]); // a double-click is not a click on a step
});

test('a run of three steps: its step axis ticks whole steps only', async () => {
  // As Lightning's CSVLogger writes it; uPlot's own steps put ticks at half steps.
  const short = join(root, 'short', 'version_0');
  mkdirSync(short, { recursive: true });
  writeFileSync(join(short, 'metrics.csv'), 'epoch,step,short/acc\n0,0,0.5\n0,1,0.75\n0,2,0.875\n');
  await session.listRuns();
  await page().locator(`[data-testid=runs] input[data-run="${short}"]`).check();
  const root3 = card('short/acc').locator('.uplot');
  await expect.poll(() => root3.getAttribute('data-points'), { timeout: 10_000 }).toBe('3');
  const ticks = (await root3.getAttribute('data-x-ticks'))!.split(' ').map(Number);
  expect(ticks).toEqual([0, 1, 2]);
  await page().locator(`[data-testid=runs] input[data-run="${short}"]`).uncheck();
  await expect.poll(() => card('short/acc').count()).toBe(0);
});

test('relative and wall time on the x axis; metrics.csv has no times, and the card says so', async () => {
  const csv = join(root, 'csv_logs', 'version_0');
  await page().locator(`[data-testid=runs] input[data-run="${csv}"]`).check();
  await page().locator('[data-testid=tag-filter]').fill('^train/loss$');
  await expect.poll(() => card('train/loss').locator('.uplot').getAttribute('data-points')).toBe('600');
  await page().locator('[data-testid=x-axis]').selectOption('relative');
  await expect.poll(() => card('train/loss').locator('[data-testid=card-info]').textContent()).toBe('200 points not shown (no wall time, or x ≤ 0 on a log x axis)');
  expect(await card('train/loss').locator('.uplot').getAttribute('data-points')).toBe('400');
  const hover = await hoverTime('train/loss');
  expect(hover[0]).toMatch(/^train\/loss · \d+(\.\d+)? (s|min)$/);
  expect(hover.slice(1).map((l) => l.split(':')[0]).sort()).toEqual(['lightning_logs/version_0', 'lightning_logs/version_1']); // no made-up time for the CSV run
  await page().locator('[data-testid=x-axis]').selectOption('wall');
  await expect.poll(() => card('train/loss').locator('[data-testid=card-info]').textContent()).toBe('200 points not shown (no wall time, or x ≤ 0 on a log x axis)');
  await page().locator('[data-testid=x-axis]').selectOption('step');
  await page().locator(`[data-testid=runs] input[data-run="${csv}"]`).uncheck();
  await page().locator('[data-testid=tag-filter]').fill('');
});

test('a point a writer appends shows up live, and a half-written record waits for the rest', async () => {
  const src = readFileSync(join(LIGHTNING, 'lightning_logs', 'version_0', EVENTS_V0));
  cpSync(join(LIGHTNING, 'lightning_logs', 'version_0', 'hparams.yaml'), join(live, 'hparams.yaml'), { recursive: true });
  const file = join(live, EVENTS_V0);
  const fd = openSync(file, 'w');
  writeSync(fd, src.subarray(0, 20_000));
  await session.listRuns();
  await page().locator(`[data-testid=runs] input[data-run="${live}"]`).check();
  await page().locator('[data-testid=tag-filter]').fill('^train/loss$');
  const points = async () => Number(await card('train/loss').locator('.uplot').getAttribute('data-points'));
  await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(400);
  const before = await points();
  expect(before).toBeLessThan(600);
  // The rest of the file, in two writes: the first ends inside a record.
  writeSync(fd, src.subarray(20_000, 25_003));
  await expect.poll(() => page().locator('[data-testid=run][data-label="live/version_0"]').textContent(), { timeout: 5_000 }).toContain('the last record is still being written');
  const t0 = Date.now();
  writeSync(fd, src.subarray(25_003));
  closeSync(fd);
  await expect.poll(points, { timeout: 5_000, interval: 50 }).toBe(600);
  expect(Date.now() - t0).toBeLessThan(3_000);
  await expect.poll(() => page().locator('[data-testid=run][data-label="live/version_0"]').textContent()).not.toContain('still being written');
  await page().locator(`[data-testid=runs] input[data-run="${live}"]`).uncheck();
  await page().locator('[data-testid=tag-filter]').fill('');
});

test('a light theme: the charts are rebuilt in the theme\'s colours', async () => {
  await page().evaluate(() => {
    document.body.style.setProperty('--vscode-editor-background', '#ffffff');
    document.body.style.setProperty('--vscode-foreground', '#3b3b3b');
    document.body.className = 'vscode-light';
  });
  await expect.poll(() => card('train/loss').locator('canvas').evaluate((c: HTMLCanvasElement) => {
    // The axis text is drawn in the theme's foreground: dark pixels on the light page.
    const d = c.getContext('2d')!.getImageData(0, 0, 60, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] < 90) dark++;
    return dark;
  })).toBeGreaterThan(20);
  await page().screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'scalars-browser-light.png') });
});

test('histograms over steps and text summaries of version_1, one card per run and tag', async () => {
  await page().locator('[data-testid=tag-filter]').fill('^(weights/enc.0|notes/)');
  await expect.poll(() => page().locator('[data-testid=histogram-card]').count()).toBe(1);
  const hist = page().locator('[data-testid=histogram-card]');
  expect(await hist.getAttribute('data-tag')).toBe('weights/enc.0.weight');
  expect(await hist.locator('[data-testid=card-info]').textContent()).toMatch(/^3 steps · values -?\d.* … \d/);
  // Three ridges drawn in the run's colour (version_1: the second colour, orange).
  const ink = await hist.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 1] > 80 && d[i + 2] < 120) n++;
    return n;
  });
  expect(ink).toBeGreaterThan(200);
  const text = page().locator('[data-testid=text-card]');
  await expect.poll(() => text.count()).toBe(1);
  const rows = await text.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')!.textContent));
  expect(rows).toEqual(['2000', '1000', '100']);
  expect((await text.locator('.scalar-text').first().textContent())!.length).toBeGreaterThan(0);
  expect(await text.locator('script, img').count()).toBe(0);
  await page().locator('[data-testid=tag-filter]').fill('');
});
