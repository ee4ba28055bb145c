/// <reference lib="dom" />
// The Live Audio webview in headless Chromium, fed by the panel's own host side over a
// ring buffer the real producer (numpy + mmap) fills in real time: 16 kHz, 4 channels,
// channel c a 220·(c+1) Hz tone, a 4-second ring.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { decodePng } from '../../../src/domain/artifacts/png';
import { rowEdges } from '../../../src/domain/audio/stft';
import { LiveAudioSession } from '../../../src/domain/audio/liveAudioSession';
import { FileSource } from '../../../src/domain/artifacts/source';
import { readWavInfoFrom } from '../../../src/domain/artifacts/wav';
import { DEFAULT_LIVE_AUDIO } from '../../../src/protocol/audio';
import { startRingWriter, stopRingWriter } from '../../liveRingWriter';
import { WebviewPage } from './page';

const RING = { rate: 16000, channels: 4, secondsHeld: 4, spw: 256 };
let dir: string;
let file: string;
let writer: ChildProcess;
let view: WebviewPage;
/** The panel's host side: the same LiveStream the extension uses, posting into the page. */
/** WAVs the host saved (the panel asks where; here they go to the test's folder). */
const saved: string[] = [];
/** The panel's own host side (the session the extension runs), posting into the page. */
function serve(page: WebviewPage, path: () => string): LiveAudioSession {
  const session = new LiveAudioSession(path(), {
    post: (m) => void page.post(m).catch(() => {}),
    save: async (name, _filters, write) => { const out = join(dir, name); await write(out); saved.push(out); },
    savePng: async () => {}, warn: () => {}, visible: () => true,
  });
  page.onMessage((m) => void session.handle(m as never));
  return session;
}
let stream: LiveAudioSession;

const text = (id: string) => view.page.getByTestId(id).textContent();
async function until(what: string, check: () => Promise<boolean>, ms = 15000): Promise<void> {
  for (const end = Date.now() + ms; !(await check());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stats ${await text('stats')}; status ${await text('status')}, message ${await text('message')}; errors ${view.errors().join('; ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runreel-live-'));
  file = join(dir, 'audiotab_ringbuf');
  writer = await startRingWriter(file, RING);
  view = await WebviewPage.open('liveAudio', { styles: ['uplot.css'], webgl: false, boot: { ...DEFAULT_LIVE_AUDIO, path: file, channels: '0-3', spectrumChannel: 1, span: 2, scale: 'linear', colormap: 'magma', range: [-90, 0] } });
  stream = serve(view, () => file);
  await view.load();
}, 60_000);

afterAll(async () => {
  await stream?.dispose();
  if (writer) await stopRingWriter(writer);
  await view?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('live: four lanes, the buffer described, frames flowing', async () => {
  await until('live status', async () => (await text('status')) === 'Live');
  expect(await text('info')).toMatch(/^16,000 Hz · 4 ch · 4\.0 s ring · written /);
  expect(await text('title')).toBe('Live audio · audiotab_ringbuf');
  // Frames drawn, counted (a frame rate would time the test machine; `npm run bench` times it).
  await until('frames', async () => Number(await view.page.getByTestId('stats').getAttribute('data-frames')) >= 30);
  // the lanes are labelled with their channels
  const labels = await view.page.evaluate(() => (document.querySelector('[data-testid=wave] .uplot') ? 1 : 0));
  expect(labels).toBe(1);
  expect(view.errors()).toEqual([]);
});

test('the waveform lanes have ink where the tones are, and the spectrogram shows channel 1\'s 440 Hz band', async () => {
  await new Promise((r) => setTimeout(r, 2500)); // a full span of history
  await view.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'webview-live-audio.png') });
  // What is on screen over the plot area (the lanes scroll as two canvases moved by transforms).
  const shot = decodePng(await view.page.getByTestId('lanes').screenshot(), 'lanes.png');
  const lanes = (() => {
    const { width, height, data } = shot;
    // rows with the plot's stroke colour (the tones are at half scale: ink in every lane)
    let inked = 0;
    for (let y = 0; y < height; y++) {
      let n = 0;
      for (let x = Math.floor(width * 0.3); x < width * 0.9; x++) { const o = (y * width + x) * 4; if (data[o + 2] > 150 && data[o] < 150) n++; }
      if (n > width * 0.3) inked++;
    }
    return { inked, height };
  })();
  expect(lanes.inked).toBeGreaterThan(lanes.height * 0.2);

  const band = await view.page.evaluate(() => {
    // The spectrogram scrolls as tiles: its snapshot() is the picture they show.
    const snapshot = (id: string) => (document.querySelector(`[data-testid=${id}]`) as HTMLElement & { snapshot(): HTMLCanvasElement }).snapshot();
    const canvas = snapshot('spectrogram');
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    // The newest columns wait for their STFT windows to fill: blank at the right edge.
    let painted = width - 1;
    while (painted >= 0 && data[((height >> 1) * width + painted) * 4 + 3] === 0) painted--;
    // brightest row (magma: brighter = louder) over the newest painted columns
    const rowSum = new Float64Array(height);
    for (let y = 0; y < height; y++) for (let x = painted - 20; x <= painted; x++) { const o = (y * width + x) * 4; rowSum[y] += data[o] + data[o + 1] + data[o + 2]; }
    let best = 0;
    for (let y = 1; y < height; y++) if (rowSum[y] > rowSum[best]) best = y;
    return { best, height, width, blank: width - 1 - painted, lanesWidth: snapshot('lanes').width };
  });
  // One column per waveform bucket, scrolled with the lanes; full quality (hop 512).
  expect(band.width).toBe(band.lanesWidth);
  const label = (await text('spectrogram-label')) ?? '';
  expect(label).toContain('hop 512');
  // Lined up in time with the lanes: the blank edge is the newest column's lag, half a window
  // less half a hop to half a window and half a hop, in buckets.
  const bucket = (view.sent.filter((m) => m.type === 'subscribe').at(-1) as unknown as { bucket: number }).bucket;
  const [window, hop] = [Number(/window (\d+)/.exec(label)![1]), 512];
  expect(band.blank).toBeGreaterThanOrEqual(Math.floor((window / 2 - hop / 2) / bucket) - 1);
  expect(band.blank).toBeLessThanOrEqual(Math.ceil((window / 2 + hop / 2) / bucket) + 1);
  const edges = rowEdges('linear', band.height, 16000);
  const row = band.height - 1 - band.best; // canvas rows run top-down, rows bottom-up
  expect(edges[row]).toBeLessThanOrEqual(440 + 8000 / band.height * 2);
  expect(edges[row + 1]).toBeGreaterThanOrEqual(440 - 8000 / band.height * 2);

  // The frequency axis beside it: linear to 8 kHz, every kilohertz, left of the picture; the
  // band is where the axis puts 440 Hz (between its 0 and 1 kHz marks).
  const axis = view.page.getByTestId('spectrogram-axis');
  expect(await axis.locator('.freq-label').allTextContents()).toEqual(['0 Hz', '1 kHz', '2 kHz', '3 kHz', '4 kHz', '5 kHz', '6 kHz', '7 kHz', '8 kHz']);
  const box = (await view.page.getByTestId('spectrogram-box').boundingBox())!;
  expect((await axis.boundingBox())!.x + (await axis.boundingBox())!.width).toBeLessThanOrEqual(box.x + 1);
  const markY = async (hz: number) => (await axis.locator(`.freq-tick[data-hz="${hz}"]`).boundingBox())!.y;
  const [y0, y1k] = [await markY(0), await markY(1000)];
  const bandY = await view.page.getByTestId('spectrogram-box').evaluate((b, best) => b.getBoundingClientRect().top + b.clientTop + ((best + 0.5) * b.clientHeight) / 180, band.best);
  expect(Math.abs(bandY - (y0 + (y1k - y0) * 0.44))).toBeLessThanOrEqual(3);
  // The lanes' full scale on the right: the top lane's ticks labelled.
  expect(await view.page.locator('[data-testid=wave] .uplot').getAttribute('data-amplitude-ticks')).toBe('1 0 −1');
});

test('the axes show as an image of what uPlot drew (its canvas, hidden, is no layer of its own)', async () => {
  const axes = view.page.getByTestId('axes');
  await expect.poll(() => axes.getAttribute('src')).toMatch(/^blob:/);
  const seen = await axes.evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    const drawn = img.previousElementSibling as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = img.naturalWidth;
    copy.height = img.naturalHeight;
    copy.getContext('2d')!.drawImage(img, 0, 0);
    const a = copy.getContext('2d')!.getImageData(0, 0, copy.width, copy.height).data;
    const b = drawn.getContext('2d')!.getImageData(0, 0, drawn.width, drawn.height).data;
    // Pixels that differ (beyond the rounding of faint, antialiased ones) and pixels with ink.
    let differ = 0, ink = 0;
    for (let i = 0; i < b.length; i += 4) {
      if (b[i + 3] > 0) ink++;
      if (Math.abs(a[i + 3] - b[i + 3]) > 1 || (b[i + 3] > 128 && [0, 1, 2].some((k) => Math.abs(a[i + k] - b[i + k]) > 2))) differ++;
    }
    return { size: [img.naturalWidth, img.naturalHeight], canvas: [drawn.width, drawn.height], shown: getComputedStyle(drawn).display, box: [img.clientWidth, img.clientHeight], plot: [img.parentElement!.clientWidth, img.parentElement!.clientHeight], differ, ink };
  });
  expect(seen.size).toEqual(seen.canvas);
  expect(seen.shown).toBe('none');
  // In CSS pixels, the plot's box (uPlot's wrap): at any device pixel ratio.
  expect(seen.box).toEqual(seen.plot);
  expect(seen.ink).toBeGreaterThan(2000);
  expect(seen.differ).toBe(0);
});

test('hovering a lane or the spectrogram says what is under the pointer, as text', async () => {
  // Lane k of four spans a quarter of the plot area, top lane first; its tone is at half scale.
  const box = (await view.page.getByTestId('lanes').boundingBox())!;
  await view.page.mouse.move(box.x + box.width / 2, box.y + box.height * (2 + 0.5) / 4);
  await until('a tooltip', async () => (await view.page.getByTestId('tooltip').getAttribute('class'))?.includes('shown') ?? false);
  const m = /^channel 2 · ([\d.]+) s \(([\d.]+) s ago\) · (-?[\d.]+) … (-?[\d.]+)$/.exec((await text('tooltip')) ?? '');
  expect(m, (await text('tooltip')) ?? '').not.toBeNull();
  const [ago, lo, hi] = [Number(m![2]), Number(m![3]), Number(m![4])];
  expect(ago).toBeGreaterThan(0.8);
  expect(ago).toBeLessThan(1.2); // the middle of a 2 s span
  expect(lo).toBeGreaterThanOrEqual(-0.51);
  expect(hi).toBeLessThanOrEqual(0.51);
  expect(hi).toBeGreaterThan(lo);
  // The lanes draw no uPlot cursor (its lines were layers of their own over the scrolling lanes).
  expect(await view.page.locator('.u-cursor-x, .u-cursor-y').count()).toBe(0);
  const spec = (await view.page.getByTestId('spectrogram').boundingBox())!;
  await view.page.mouse.move(spec.x + spec.width * 0.75, spec.y + spec.height / 2); // (the newest columns wait for their windows)
  await until('the spectrogram tooltip', async () => / kHz · -?[\d.]+ dB$| Hz · -?[\d.]+ dB$/.test((await text('tooltip')) ?? ''));
  expect(await text('tooltip')).toMatch(/^[\d.]+ s · [\d.]+ kHz · -?[\d.]+ dB$/); // mid-height of 0–8 kHz, linear: about 4 kHz
  await view.page.mouse.move(0, 0);
  expect(view.errors()).toEqual([]);
});

test('channels and settings: a bad channel list says why and keeps the lanes', async () => {
  await view.page.getByTestId('channels').fill('1,9');
  await view.page.getByTestId('channels').press('Enter');
  expect(await text('channels-error')).toBe('channel 9 does not exist (the buffer has 4: 0-3)');
  await view.page.getByTestId('channels').fill('1,3');
  await view.page.getByTestId('channels').press('Enter');
  expect(await text('channels-error')).toBe('');
  await until('two lanes subscribed', async () => JSON.stringify(view.sent.filter((m) => m.type === 'subscribe').at(-1)?.channels) === '[1,3]');
  await until('live again', async () => (await text('status')) === 'Live');
});

test('freeze stops the stream and the host keeps the visible span, which Export WAV saves sample for sample; resume subscribes afresh', async () => {
  await view.page.getByTestId('freeze').click();
  expect(await text('status')).toBe('Frozen');
  const freeze = view.sent.filter((m) => m.type === 'freeze').at(-1)!;
  expect(freeze.channels).toEqual([1, 3]);
  expect((freeze.end as number) - (freeze.start as number)).toBeGreaterThan(16000 * 1.9);
  await new Promise((r) => setTimeout(r, 300));
  const frames = stream.framesRead;
  await new Promise((r) => setTimeout(r, 500));
  expect(stream.framesRead).toBe(frames);
  const subscriptions = view.sent.filter((m) => m.type === 'subscribe').length;
  // The host kept the frozen span: the export is that span, both channels, every sample.
  await until('frozen span kept', async () => /^Frozen: 2 channels kept for export\.$/.test((await text('message')) ?? ''));
  await view.page.getByTestId('export-wav').click();
  expect(view.sent.filter((m) => m.type === 'exportWav').at(-1)).toMatchObject({ start: freeze.start, end: freeze.end, channels: [1, 3] });
  await until('WAV saved', async () => saved.length > 0);
  const wav = await FileSource.open(saved.at(-1)!);
  try {
    expect(saved.at(-1)).toMatch(new RegExp(`audiotab_ringbuf_${freeze.start}-${freeze.end}\\.wav$`));
    expect(await readWavInfoFrom(wav)).toMatchObject({ sampleRate: 16000, channels: 2, frames: (freeze.end as number) - (freeze.start as number) });
  } finally {
    await wav.close();
  }
  await view.page.getByTestId('freeze').click();
  await until('resumed', async () => (await text('status')) === 'Live');
  expect(view.sent.filter((m) => m.type === 'subscribe').length).toBe(subscriptions + 1);
  // The fresh stream's history fills the whole spectrogram again, oldest columns included.
  const filledFrom = () => view.page.evaluate(() => {
    const c = (document.querySelector('[data-testid=spectrogram]') as HTMLElement & { snapshot(): HTMLCanvasElement }).snapshot();
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let x = 0; x < c.width; x++) if (d[((c.height >> 1) * c.width + x) * 4 + 3] === 255) return x / c.width;
    return 1;
  });
  await until('spectrogram refilled', async () => (await filledFrom()) < 0.1);
  expect(stream.framesRead).toBeGreaterThan(frames);
});

test('Export PNG sends a PNG of the waveform and spectrogram', async () => {
  await view.page.getByTestId('export-png').click();
  await until('png', async () => view.sent.some((m) => m.type === 'exportPng'));
  const url = view.sent.find((m) => m.type === 'exportPng')!.dataUrl as string;
  const bytes = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');
  const results = join(__dirname, '..', '..', '..', 'test-results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'live-audio-export.png'), bytes);
  const png = decodePng(bytes, 'export.png');
  expect(png.width).toBeGreaterThan(600);
  expect(png.height).toBeGreaterThan(250);
  // The spectrogram's frequency axis is in the image too: text in the margin left of the spectrogram (its bottom 178 rows).
  const margin = await view.page.evaluate(() => document.querySelector('[data-testid=spectrogram-box]')!.getBoundingClientRect().left - document.querySelector('[data-testid=wave]')!.getBoundingClientRect().left);
  const view32 = new DataView(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  const at = (x: number, y: number) => view32.getUint32((y * png.width + x) * 4);
  const background = at(1, png.height - 1);
  let ink = 0;
  for (let y = png.height - 178; y < png.height; y++) for (let x = 0; x < margin - 2; x++) if (at(x, y) !== background) ink++;
  expect(ink).toBeGreaterThan(100);
});

test('a reader that falls behind says "Data loss detected (buffer overrun)"', async () => {
  // The page stops drawing (its main thread busy) for longer than the 4-second ring holds.
  await view.page.evaluate(() => { const end = performance.now() + 5000; while (performance.now() < end) { /* busy */ } });
  await until('loss banner', async () => (await view.page.getByTestId('loss').isVisible()) && /Data loss detected \(buffer overrun\)/.test((await text('loss')) ?? ''), 20000);
  expect(await text('loss')).toMatch(/samples \(\d+\.\d+ s\) were overwritten before they could be read/);
});

test('the writer stopping, the file going and coming back', async () => {
  await stopRingWriter(writer);
  await until('stopped', async () => (await text('status')) === 'Writer stopped');
  expect(await text('message')).toMatch(/^No new samples for \d+\.\d+ s: the writer has stopped or paused\.$/);
  rmSync(file);
  expect(existsSync(file)).toBe(false);
  await until('gone', async () => (await text('status')) === 'File gone');
  expect(await text('message')).toBe(`Waiting for ${file}: the file is not there (the writer has not started, or stopped and removed it).`);
  writer = await startRingWriter(file, RING);
  await until('live again', async () => (await text('status')) === 'Live');
});

test('adaptive quality: frames over budget step the spectrogram down, and the panel says so', async () => {
  // From here on each test streams to a page of its own: the shared view stops, so two streams
  // (each a browser, a tap and JSON over CDP) do not share a loaded 2-core CI machine.
  await stream.dispose();
  const slow = await WebviewPage.open('liveAudio', { styles: ['uplot.css'], webgl: false, boot: { ...DEFAULT_LIVE_AUDIO, path: file, channels: '0', frameBudgetMs: 0.0001 } });
  try {
    const slowStream = serve(slow, () => file);
    await slow.load();
    for (const end = Date.now() + 15000; !/Reduced quality/.test((await slow.page.getByTestId('quality').textContent()) ?? '');) {
      if (Date.now() > end) throw new Error(`no quality change: ${await slow.page.getByTestId('quality').textContent()} ${await slow.page.getByTestId('status').textContent()} ${await slow.page.getByTestId('stats').textContent()} ${slow.errors()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await slow.page.getByTestId('quality').textContent()).toMatch(/^Reduced quality: window \d+, hop \d+ \(the spectrogram took \d+\.\d ms a frame; budget 0\.0001 ms\)$/);
    expect(await slow.page.getByTestId('spectrogram-label').textContent()).toMatch(/hop (1024|2048)|window (1024|512|256)/);
    await slowStream.dispose();
  } finally {
    await slow.close();
  }
});

test('a buffer as audiotab writes it (one channel, samples-per-write 0): the default channels follow the file and it plays', async () => {
  const real = join(dir, 'audiotab_real');
  const realWriter = await startRingWriter(real, { rate: 48000, channels: 1, secondsHeld: 4, spw: 1024, audiotab: true });
  const page = await WebviewPage.open('liveAudio', { styles: ['uplot.css'], webgl: false, boot: { ...DEFAULT_LIVE_AUDIO, path: real } });
  try {
    const realStream = serve(page, () => real);
    await page.load();
    const t = (id: string) => page.page.getByTestId(id).textContent();
    for (const end = Date.now() + 15000; (await t('status')) !== 'Live';) {
      if (Date.now() > end) throw new Error(`not live: ${await t('status')} ${await t('message')} ${page.errors()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await t('info')).toMatch(/^48,000 Hz · 1 ch · 4\.0 s ring · written /);
    expect(await page.page.getByTestId('channels').inputValue()).toBe('0');
    expect(await t('channels-error')).toBe('');
    for (const end = Date.now() + 20000; Number(await page.page.getByTestId('stats').getAttribute('data-frames')) < 30;) {
      if (Date.now() > end) throw new Error(`no frames: ${await t('stats')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(page.errors()).toEqual([]);
    await realStream.dispose();
  } finally {
    await page.close();
    await stopRingWriter(realWriter);
  }
}, 60_000); // two waits of up to 15 s each on a loaded machine
