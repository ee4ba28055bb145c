/// <reference lib="dom" />
// Audio summaries of TensorBoard event files in the Eval Audio webview: the real Lightning run's
// val/tone (16 kHz mono, 220 / 418 / 638 Hz at steps 100, 1000, 2000) read as byte ranges of
// the event file, its peaks and spectrogram from the same readers as any WAV, and played from
// the bytes (a blob), in headless Chromium.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listEventAudioSteps } from '../../../src/domain/audio/eventAudio';
import type { EvalStep } from '../../../src/domain/audio/evalAudio';
import { EvalAudioSession } from '../../../src/domain/audio/evalAudioSession';
import { DEFAULT_SPECTROGRAM, type EvalAudioState } from '../../../src/protocol/audio';
import { realProducer } from '../helpers';
import { WebviewPage } from './page';

const RUN = realProducer('lightning', 'lightning_logs', 'version_1');
let view: WebviewPage;
let steps: EvalStep[];
let session: EvalAudioSession;

beforeAll(async () => {
  steps = await listEventAudioSteps(RUN);
  const state: EvalAudioState = { path: RUN, single: false, events: true, diff: false, spectrogram: DEFAULT_SPECTROGRAM };
  view = await WebviewPage.open('evalAudio', { styles: ['uplot.css'], boot: state });
  // The panel's own host side: it opens at the latest step.
  session = new EvalAudioSession({ ...state }, { post: (m) => void view.post(m), uri: (p) => `${view.origin}/files/${p}`, warn: () => {} });
  await view.serve(session);
}, 60_000);
afterAll(() => view?.closeWith(session));

test('the steps of an audio tag, each clip read from inside the event file, and it plays from its bytes', async () => {
  expect(steps.map((s) => [s.step, s.samples.map((x) => x.key)])).toEqual([[100, ['val/tone']], [1000, ['val/tone']], [2000, ['val/tone']]]);
  await expect.poll(() => view.page.locator('[data-testid=step] option').allTextContents(), { timeout: 20_000 }).toEqual(['step 100', 'step 1000', 'step 2000']);
  await expect.poll(() => view.page.locator('.track-label').first().textContent(), { timeout: 20_000 }).toMatch(/^.*val\/tone · step 2000 · 16000 Hz · 1 ch/);
  // The <audio> plays the blob: its duration is the clip's second.
  await expect.poll(() => view.page.locator('audio').first().evaluate((a: HTMLAudioElement) => a.duration), { timeout: 10_000 }).toBeCloseTo(1, 2);
  expect(await view.page.locator('audio').first().getAttribute('src')).toMatch(/^blob:/);
  expect(view.errors()).toEqual([]);
});
