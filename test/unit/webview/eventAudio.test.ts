/// <reference lib="dom" />
// Audio summaries of TensorBoard event files in the Eval Audio webview: the real Lightning run's
// val/tone (16 kHz mono, 220 / 418 / 638 Hz at steps 100, 1000, 2000) read as byte ranges of
// the event file, its peaks and spectrogram from the same readers as any WAV, and played from
// the bytes (a blob), in headless Chromium.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FileSource, SliceSource } from '../../../src/domain/artifacts/source';
import { readWavInfoFrom } from '../../../src/domain/artifacts/wav';
import { listEventAudioSteps } from '../../../src/domain/audio/eventAudio';
import type { EvalStep } from '../../../src/domain/audio/evalAudio';
import { rangePeaks } from '../../../src/domain/audio/wavRange';
import { DEFAULT_SPECTROGRAM } from '../../../src/protocol/audio';
import { realProducer } from '../helpers';
import { WebviewPage } from './page';

const RUN = realProducer('lightning', 'lightning_logs', 'version_1');
let view: WebviewPage;
let steps: EvalStep[];
let open: { source: SliceSource; info: Awaited<ReturnType<typeof readWavInfoFrom>> } | undefined;

async function select(step: number): Promise<void> {
  const s = steps.find((x) => x.step === step)!;
  const sum = s.samples[0].summary!;
  await open?.source.close();
  const source = new SliceSource(await FileSource.open(sum.file), sum.offset, sum.length, sum.file);
  const info = await readWavInfoFrom(source);
  open = { source, info };
  const wav = await source.read(0, sum.length);
  await view.post({ type: 'sample', step, sample: 0, tracks: [{ role: 'file', name: `${s.samples[0].key} · step ${step}`, src: '', wav, sampleRate: info.sampleRate, channels: info.channels, frames: info.frames, warnings: info.warnings }] });
}

beforeAll(async () => {
  steps = await listEventAudioSteps(RUN);
  view = await WebviewPage.open('evalAudio', { styles: ['uplot.css'], boot: { path: RUN, single: false, events: true, diff: false, spectrogram: DEFAULT_SPECTROGRAM } });
  view.onMessage(async (m) => {
    if (m.type === 'ready') {
      await view.post({ type: 'steps', title: 'version_1', steps: steps.map((s) => ({ step: s.step, samples: s.samples.map((x) => ({ index: x.index, key: x.key, target: true, pred: false })) })) });
      await select(2000);
    } else if (m.type === 'select') await select(m.step as number);
    else if (m.type === 'requestPeaks' && open) {
      const p = await rangePeaks(open.source, open.info, m.start as number, m.end as number, m.buckets as number);
      await view.post({ type: 'peaks', id: m.id, track: m.track, start: m.start, end: m.end, ...p });
    }
  });
  await view.load();
}, 60_000);
afterAll(async () => {
  await open?.source.close();
  await view?.close();
});

test('the steps of an audio tag, each clip read from inside the event file, and it plays from its bytes', async () => {
  expect(steps.map((s) => [s.step, s.samples.map((x) => x.key)])).toEqual([[100, ['val/tone']], [1000, ['val/tone']], [2000, ['val/tone']]]);
  await expect.poll(() => view.page.locator('[data-testid=step] option').allTextContents(), { timeout: 20_000 }).toEqual(['step 100', 'step 1000', 'step 2000']);
  await expect.poll(() => view.page.locator('.track-label').first().textContent(), { timeout: 20_000 }).toMatch(/^.*val\/tone · step 2000 · 16000 Hz · 1 ch/);
  // The <audio> plays the blob: its duration is the clip's second.
  await expect.poll(() => view.page.locator('audio').first().evaluate((a: HTMLAudioElement) => a.duration), { timeout: 10_000 }).toBeCloseTo(1, 2);
  expect(await view.page.locator('audio').first().getAttribute('src')).toMatch(/^blob:/);
  expect(view.errors()).toEqual([]);
});
