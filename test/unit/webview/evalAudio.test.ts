/// <reference lib="dom" />
// The Eval Audio webview in headless Chromium, fed by the panel's own host side over
// WAVs the producer wrote (a 1 kHz target; a prediction with an extra 3 kHz tone).
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listEvalSteps, type EvalStep } from '../../../src/domain/audio/evalAudio';
import { EvalAudioSession } from '../../../src/domain/audio/evalAudioSession';
import { rowEdges } from '../../../src/domain/audio/stft';
import { DEFAULT_SPECTROGRAM, type EvalAudioState } from '../../../src/protocol/audio';
import { WebviewPage } from './page';

const DIR = join(__dirname, '..', '..', 'fixtures', 'audio', 'eval_results');
let view: WebviewPage;
let steps: EvalStep[];
let session: EvalAudioSession;

beforeAll(async () => {
  steps = await listEvalSteps(DIR);
  const state: EvalAudioState = { path: DIR, single: false, diff: true, step: 0, spectrogram: { ...DEFAULT_SPECTROGRAM, scale: 'linear', range: [-80, 0] } };
  view = await WebviewPage.open('evalAudio', { styles: ['uplot.css'], files: DIR, boot: state });
  // The panel's own host side, over the fixture's WAVs.
  session = new EvalAudioSession({ ...state }, { post: (m) => void view.post(m), uri: (p) => `${view.origin}/files/${relative(DIR, p)}`, warn: () => {} });
  await view.serve(session);
}, 60_000);
afterAll(() => view?.closeWith(session));

/** The colour of the spectrogram canvas at `hz` in its middle column, and the dimmest colour of that column. */
async function bandColour(testid: string, hz: number, rate: number): Promise<{ at: number[]; darkest: number[] }> {
  const canvas = view.page.locator(`[data-testid=${testid}]`);
  await expect.poll(() => canvas.evaluate((c: HTMLCanvasElement) => Number(c.dataset.columns ?? 0)), { timeout: 20_000 }).toBeGreaterThan(10);
  const rows = await canvas.evaluate((c: HTMLCanvasElement) => c.height);
  const edges = rowEdges('linear', rows, rate);
  const row = edges.findIndex((e) => e > hz) - 1;
  return canvas.evaluate((c: HTMLCanvasElement, r: number) => {
    const ctx = c.getContext('2d')!;
    const x = Math.floor(c.width / 2);
    const column = ctx.getImageData(x, 0, 1, c.height).data;
    const y = c.height - 1 - r;
    let darkest = [255, 255, 255], sum = 765;
    for (let i = 0; i < column.length; i += 4) if (column[i] + column[i + 1] + column[i + 2] < sum) { sum = column[i] + column[i + 1] + column[i + 2]; darkest = [column[i], column[i + 1], column[i + 2]]; }
    return { at: [column[y * 4], column[y * 4 + 1], column[y * 4 + 2]], darkest };
  }, row);
}
const brightness = (c: number[]) => c[0] + c[1] + c[2];

/** A colour bar's pixels, RGBA across (it is an image of the colormap, 256 × 1). */
const barPixels = (testId: string) => view.page.getByTestId(testId).evaluate(async (img: HTMLImageElement) => {
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  return [...ctx.getImageData(0, 0, c.width, 1).data];
});

test('target and prediction, one above the other: waveforms of the peaks and the prompt as text', async () => {
  await expect.poll(() => view.page.locator('[data-testid=wave-target] .u-over').count(), { timeout: 20_000 }).toBe(1);
  expect(await view.page.locator('[data-testid=wave-pred] .u-over').count()).toBe(1);
  await expect.poll(() => view.page.locator('[data-testid=wave-target] .uplot').getAttribute('data-exact')).toBe('true');
  // The amplitude axis shows its full scale, not 0 alone.
  for (const role of ['target', 'pred']) expect(await view.page.locator(`[data-testid=wave-${role}] .uplot`).getAttribute('data-y-ticks')).toBe('-1 0 1');
  const text = await view.page.locator('[data-testid=text]').textContent();
  expect(text).toContain('<img src=x onerror="window.__pwned=1"> sine at step 0');
  expect(await view.page.locator('[data-testid=text] img').count()).toBe(0);
  expect(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await view.page.locator('[data-testid=step]').inputValue()).toBe('0');
  expect(await view.page.locator('[data-testid=track-target] .track-label').textContent()).toBe('Target · target_wav_0.wav · 16000 Hz · 1 ch · 0:02.00');
  expect(view.errors()).toEqual([]);
});

test('spectrograms show the 1 kHz tone in both and the 3 kHz error only in the prediction', async () => {
  const target1k = await bandColour('spectrogram-target', 1000, 16000);
  const target3k = await bandColour('spectrogram-target', 3000, 16000);
  const pred3k = await bandColour('spectrogram-pred', 3000, 16000);
  // -6 dB tone on a -80…0 dB magma scale: bright; silence: the darkest colour.
  expect(brightness(target1k.at)).toBeGreaterThan(500);
  expect(brightness(target3k.at)).toBe(brightness(target3k.darkest));
  expect(brightness(pred3k.at)).toBeGreaterThan(400);
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'eval-audio-browser.png'), fullPage: true });
});

test('each spectrogram lies under its waveform\'s plot area, and its frequency axis labels the 1 kHz tone at the tone\'s row', async () => {
  await bandColour('spectrogram-target', 1000, 16000);
  // A moment is at the same x in the waveform and the spectrogram, also after the panel is resized.
  const misalignment = async () => {
    let worst = 0;
    for (const role of ['target', 'pred']) {
      const plotArea = (await view.page.locator(`[data-testid=wave-${role}] .u-over`).boundingBox())!;
      const picture = (await view.page.locator(`[data-testid=spectrogram-${role}]`).boundingBox())!;
      worst = Math.max(worst, Math.abs(picture.x - plotArea.x), Math.abs(picture.x + picture.width - plotArea.x - plotArea.width));
    }
    return worst;
  };
  expect(await misalignment()).toBeLessThanOrEqual(1);
  const size = view.page.viewportSize()!;
  await view.page.setViewportSize({ width: Math.round(size.width * 0.7), height: size.height });
  await expect.poll(misalignment).toBeLessThanOrEqual(1);
  await view.page.setViewportSize(size);
  await expect.poll(misalignment).toBeLessThanOrEqual(1);
  const axis = view.page.locator('[data-testid=freq-axis-target]');
  // Linear, 0 to 8 kHz on 148 pixels: every kilohertz (18.5 px apart).
  await expect.poll(() => axis.locator('.freq-label').allTextContents()).toEqual(['0 Hz', '1 kHz', '2 kHz', '3 kHz', '4 kHz', '5 kHz', '6 kHz', '7 kHz', '8 kHz']);
  const picture = (await view.page.locator('[data-testid=spectrogram-target]').boundingBox())!;
  const label = (await axis.locator('.freq-label[data-hz="1000"]').boundingBox())!;
  expect(label.x + label.width).toBeLessThanOrEqual(picture.x);
  // The tone's brightest row, in page pixels, against the label's middle.
  const toneY = await view.page.locator('[data-testid=spectrogram-target]').evaluate((c: HTMLCanvasElement) => {
    const column = c.getContext('2d')!.getImageData(Math.floor(c.width / 2), 0, 1, c.height).data;
    let best = 0;
    for (let y = 1; y < c.height; y++) if (column[y * 4] + column[y * 4 + 1] + column[y * 4 + 2] > column[best * 4] + column[best * 4 + 1] + column[best * 4 + 2]) best = y;
    return c.getBoundingClientRect().top + c.clientTop + ((best + 0.5) * c.clientHeight) / c.height;
  });
  expect(Math.abs(label.y + label.height / 2 - toneY)).toBeLessThanOrEqual(3);
  // The difference view has the same rows, so the same axis.
  expect(await view.page.locator('[data-testid=freq-axis-diff] .freq-label').allTextContents()).toEqual(['0 Hz', '1 kHz', '2 kHz', '3 kHz', '4 kHz', '5 kHz', '6 kHz', '7 kHz', '8 kHz']);
});

test('the difference view is red where the prediction has the 3 kHz error', async () => {
  const diff = await bandColour('diff-canvas', 3000, 16000);
  // The red end of the diverging map (RdBu's darkest red, rgb(103, 0, 31)).
  expect(diff.at[0]).toBeGreaterThan(diff.at[1] + 60);
  expect(diff.at[0]).toBeGreaterThan(diff.at[2] + 60);
  // Its colour scale: RdBu from blue (quieter, left) through white to red (louder, right), ±20 dB.
  const d = await barPixels('colour-bar-diff');
  const bar = { left: d.slice(0, 3), middle: d.slice(128 * 4, 128 * 4 + 3), right: d.slice(d.length - 4, d.length - 1), label: await view.page.getByTestId('colour-bar-diff').getAttribute('aria-label') };
  expect(bar.left[2]).toBeGreaterThan(bar.left[0] + 60);
  expect(bar.right[0]).toBeGreaterThan(bar.right[2] + 60);
  expect(Math.min(...bar.middle)).toBeGreaterThan(230);
  expect(bar.label).toBe('difference: -20 dB (left) to 20 dB (right)');
  expect(await view.page.getByTestId('diff').locator('.track-label').textContent()).toMatch(/^Prediction − target \(dB\) −20\+20 red: prediction louder · blue: quieter$/);
  const same = await bandColour('diff-canvas', 1000, 16000);
  // Where they agree: near white (no difference).
  expect(Math.abs(same.at[0] - same.at[2])).toBeLessThan(40);
});

test('hovering the spectrogram shows time, frequency and level as text', async () => {
  const canvas = view.page.locator('[data-testid=spectrogram-target]');
  const box = (await canvas.boundingBox())!;
  // Linear scale, 0–8 kHz: 1 kHz is 1/8 of the way up from the bottom.
  await view.page.mouse.move(box.x + box.width / 2, box.y + box.height * (1 - 1 / 8) );
  const tip = view.page.locator('[data-testid=tooltip]');
  await expect.poll(() => tip.isVisible()).toBe(true);
  expect(await tip.textContent()).toMatch(/^0:01\.\d\d · (9\d\d|1\.0\d kHz|\d{3,4} Hz) · -\d+\.\d dB$/);
});

test('switching steps keeps the panel and loads the other step; changing the scale and colormap repaints', async () => {
  await view.page.locator('[data-testid=step]').selectOption('500');
  await expect.poll(() => view.page.locator('[data-testid=text]').textContent(), { timeout: 10_000 }).toContain('sine at step 500');
  const pred3k = await bandColour('spectrogram-pred', 3000, 16000);
  const target3k = await bandColour('spectrogram-target', 3000, 16000);
  // At step 500 the error is 0.05 (-26 dB below the tone's -6): dimmer than at step 0, still above silence.
  expect(brightness(pred3k.at)).toBeGreaterThan(brightness(target3k.at));
  await view.page.locator('[data-testid=sample]').selectOption('1');
  await expect.poll(() => view.page.locator('[data-testid=track-target] .track-label').textContent()).toMatch(/target_wav_1\.wav · 16000 Hz · 2 ch · 0:00\.50/);
  expect(await view.page.locator('[data-testid=track-pred]').count()).toBe(0);
  expect(await view.page.locator('[data-testid=diff-toggle]').isDisabled()).toBe(true);
  const before = await view.page.locator('[data-testid=spectrogram-target]').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  // The colour scale between the dB inputs: magma's ends, lowest level on the left.
  const barEnds = async () => {
    const d = await barPixels('colour-bar');
    return [d.slice(0, 3), d.slice(d.length - 4, d.length - 1)];
  };
  expect(await barEnds()).toEqual([[0, 0, 4], [252, 253, 191]]);
  await view.page.locator('[data-testid=colormap]').selectOption('viridis');
  await expect.poll(() => view.page.locator('[data-testid=spectrogram-target]').evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(before);
  expect(await barEnds()).toEqual([[68, 1, 84], [253, 231, 37]]);
  expect(await view.page.getByTestId('colour-bar').getAttribute('aria-label')).toBe('viridis: -80 dB (left) to 0 dB (right)');
  expect(view.errors()).toEqual([]);
});

test('play, A/B and seek: the playhead moves and the audible track switches at the same position', async () => {
  await view.page.locator('[data-testid=step]').selectOption('0');
  await expect.poll(() => view.sent.filter((m) => m.type === 'select').at(-1)?.step).toBe(0);
  await view.page.locator('[data-testid=sample]').selectOption('0');
  await expect.poll(() => view.page.locator('[data-testid=text]').textContent(), { timeout: 10_000 }).toContain('sine at step 0');
  await expect.poll(() => view.page.locator('[data-testid=track-pred]').count(), { timeout: 10_000 }).toBe(1);
  const wave = view.page.locator('[data-testid=wave-target] .u-over');
  const box = (await wave.boundingBox())!;
  await wave.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await expect.poll(() => view.page.locator('[data-testid=time]').textContent()).toMatch(/^0:01\.0\d \/ 0:02\.00 · hearing Target/);
  await view.page.locator('[data-testid=ab]').click();
  expect(await view.page.locator('[data-testid=time]').textContent()).toMatch(/^0:01\.0\d \/ 0:02\.00 · hearing Prediction/);
  const muted = await view.page.evaluate(() => Array.from(document.querySelectorAll('audio'), (a) => a.muted));
  expect(muted).toEqual([true, false]);
  // Play from near the start, so a loaded machine cannot reach the end before the pause.
  await wave.click({ position: { x: box.width * 0.05, y: box.height / 2 } });
  await expect.poll(() => view.page.locator('[data-testid=time]').textContent()).toMatch(/^0:00\.\d\d \/ 0:02\.00/);
  await view.page.locator('[data-testid=play]').click();
  await expect.poll(() => view.page.evaluate(() => Array.from(document.querySelectorAll('audio'), (a) => a.currentTime)), { timeout: 10_000 })
    .toEqual([expect.any(Number), expect.any(Number)]);
  await expect.poll(async () => Number(/^0:(\d+\.\d+)/.exec((await view.page.locator('[data-testid=time]').textContent()) ?? '')?.[1]), { timeout: 10_000 }).toBeGreaterThan(0.4);
  // Pause (a loaded machine may have let the 2 s clip end first, which stops it too).
  if ((await view.page.locator('[data-testid=play]').textContent()) === 'Pause') await view.page.locator('[data-testid=play]').click();
  expect(await view.page.locator('[data-testid=play]').textContent()).toBe('Play');
  expect(await view.page.evaluate(() => Array.from(document.querySelectorAll('audio'), (a) => a.paused))).toEqual([true, true]);
});

test('a dragged selection loops while playing and can be zoomed to', async () => {
  const wave = view.page.locator('[data-testid=wave-target] .u-over');
  const box = (await wave.boundingBox())!;
  await view.page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await view.page.mouse.down();
  await view.page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 6 });
  await view.page.mouse.up();
  await expect.poll(() => view.page.locator('[data-testid=time]').textContent()).toMatch(/selection 0:00\.(49|50|51)–0:01\.0[01]/);
  await view.page.locator('[data-testid=loop]').check();
  await view.page.locator('[data-testid=play]').click();
  const position = async () => Number(/^0:(\d+\.\d+)/.exec((await view.page.locator('[data-testid=time]').textContent()) ?? '')?.[1]);
  // After more than the selection's length, playback is still inside it.
  await view.page.waitForTimeout(1200);
  const at = await position();
  expect(at).toBeGreaterThanOrEqual(0.49);
  expect(at).toBeLessThan(1.1);
  await view.page.locator('[data-testid=play]').click();
  await view.page.locator('[data-testid=zoom-selection]').click();
  // The visible range is now the selection: peaks and spectrogram samples are asked for it.
  const lastAsk = (type: string) => view.sent.filter((m) => m.type === type).at(-1)!;
  await expect.poll(() => Math.round(lastAsk('requestPeaks').start as number / 160)).toBeGreaterThanOrEqual(49);
  for (const type of ['requestPeaks', 'requestSamples']) {
    expect((lastAsk(type).start as number) / 16000).toBeCloseTo(0.5, 1);
    expect((lastAsk(type).end as number) / 16000).toBeCloseTo(1.0, 1);
  }
  expect(view.errors()).toEqual([]);
});

test('a theme switch while playing rebuilds the plots and keeps playing from the same place', async () => {
  await view.page.locator('[data-testid=loop]').uncheck();
  await view.page.locator('[data-testid=zoom-reset]').click();
  const wave = view.page.locator('[data-testid=wave-target] .u-over');
  const box = (await wave.boundingBox())!;
  await wave.click({ position: { x: box.width * 0.2, y: box.height / 2 } });
  await view.page.locator('[data-testid=play]').click();
  await view.page.waitForTimeout(300);
  // The switch and the checks in one task: the rebuild runs (a MutationObserver microtask)
  // before the checks, and a loaded machine cannot let the 2 s file end in between.
  const r = await view.page.evaluate(async () => {
    const audios = () => Array.from(document.querySelectorAll('audio'));
    const before = audios()[0].currentTime;
    const old = audios();
    document.body.className = 'vscode-light';
    await Promise.resolve();
    const now = audios();
    return { before, rebuilt: now.every((a) => !old.includes(a)), label: document.querySelector('[data-testid=play]')!.textContent, paused: now.map((a) => a.paused), at: now.map((a) => a.currentTime) };
  });
  expect([r.rebuilt, r.label, r.paused]).toEqual([true, 'Pause', [false, false]]);
  expect(r.before).toBeGreaterThan(0.3);
  // From the same place, not from 0 (the media clock moves in coarse steps on a loaded machine).
  for (const t of r.at) expect(Math.abs(t - r.before)).toBeLessThan(0.25);
  await view.page.locator('[data-testid=play]').click();
  expect(view.errors()).toEqual([]);
});
