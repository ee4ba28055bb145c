// The Eval Audio panel's host side on the fixture run (two eval steps, target and prediction
// WAVs the producer wrote): what it sends the page, and what it says when files break or go.
import { cpSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { EvalAudioSession } from '../../../src/domain/audio/evalAudioSession';
import { DEFAULT_SPECTROGRAM, type EvalAudioHostToWebview, type EvalAudioState } from '../../../src/protocol/audio';
import { tempDir } from '../helpers';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'audio', 'eval_results');

function open(state: Partial<EvalAudioState> = {}, clockStep?: number) {
  const dir = join(tempDir('runreel-eval-'), 'eval_results');
  cpSync(FIXTURE, dir, { recursive: true });
  const posted: EvalAudioHostToWebview[] = [], warned: string[] = [];
  const session = new EvalAudioSession({ path: dir, single: false, diff: false, spectrogram: DEFAULT_SPECTROGRAM, ...state }, {
    post: (m) => void posted.push(m), uri: (p) => `webview:${p}`, warn: (m) => void warned.push(m),
  }, { clockStep });
  const last = <T extends EvalAudioHostToWebview['type']>(type: T) => posted.filter((m): m is Extract<EvalAudioHostToWebview, { type: T }> => m.type === type).at(-1);
  return { dir, session, posted, warned, last };
}

test('ready: the steps and their samples, then the latest step\'s first sample, target and prediction with the prompt', async () => {
  const { dir, session, last } = open();
  await session.handle({ type: 'ready' });
  expect(last('steps')!.steps.map((s) => [s.step, s.samples.map((x) => [x.index, x.target, x.pred])])).toEqual([[0, [[0, true, true], [1, true, false]]], [500, [[0, true, true], [1, true, false]]]]);
  const sample = last('sample')!;
  expect([sample.step, sample.sample, sample.tracks.map((t) => [t.role, t.name, t.src])]).toEqual([500, 0, [
    ['target', 'target_wav_0.wav', `webview:${join(dir, 'step_500', 'target_wav_0.wav')}`],
    ['pred', 'pred_wav_0.wav', `webview:${join(dir, 'step_500', 'pred_wav_0.wav')}`],
  ]]);
  expect(sample.tracks[0].sampleRate).toBeGreaterThan(0);
  expect(sample.text?.length).toBeGreaterThan(0);
  // Peaks of the first track's whole length, as many buckets as asked.
  const frames = sample.tracks[0].frames;
  await session.handle({ type: 'requestPeaks', id: 7, track: 0, start: 0, end: frames, buckets: 100 });
  const peaks = last('peaks')!;
  expect([peaks.id, peaks.track, peaks.start, peaks.end, peaks.min[0].length]).toEqual([7, 0, 0, frames, 100]);
  // A track the page no longer has: nothing is sent.
  const before = last('peaks');
  await session.handle({ type: 'requestPeaks', id: 8, track: 5, start: 0, end: frames, buckets: 100 });
  expect(last('peaks')).toBe(before);
  await session.dispose();
});

test('a panel opened after the run\'s clock was set starts at its nearest eval step; the clock moving while hidden waits for the page', async () => {
  const { session, last, posted } = open({}, 120);
  await session.handle({ type: 'ready' });
  expect(last('sample')!.step).toBe(0);
  await session.goToStep(420, false);
  expect(posted.filter((m) => m.type === 'sample')).toHaveLength(1);
  await session.handle({ type: 'ready' });
  expect(last('sample')!.step).toBe(500);
  await session.dispose();
});

test('a broken prediction WAV: the target still opens, and the error names the file', async () => {
  const { dir, session, last, warned } = open();
  writeFileSync(join(dir, 'step_500', 'pred_wav_0.wav'), 'RIFF\x04\x00\x00\x00WAVE');
  await session.handle({ type: 'ready' });
  expect(last('sample')!.tracks.map((t) => t.role)).toEqual(['target']);
  expect(last('error')!.message).toMatch(/pred_wav_0\.wav/);
  expect(warned.some((w) => w.includes('pred_wav_0.wav'))).toBe(true);
  await session.dispose();
});

test('a sample gone since the steps were listed, or a folder gone: an error naming it, and no tracks shown from nowhere', async () => {
  const { dir, session, last } = open();
  await session.handle({ type: 'ready' });
  await session.handle({ type: 'select', step: 500, sample: 7 }); // no such sample: its step's first
  expect([last('sample')!.step, last('sample')!.sample]).toEqual([500, 0]);
  await session.handle({ type: 'select', step: 40, sample: 0 });
  expect(last('error')!.message).toMatch(/step 40 sample 0 is no longer on disk/);
  rmSync(dir, { recursive: true });
  await session.refresh();
  expect(last('error')!.message).toBe(`${dir}: the folder is not there (moved or deleted?)`);
  expect(last('steps')!.steps).toEqual([]);
  await session.dispose();
});

test('a spectrogram window that is not a power of two, or a range that is not numbers, is refused with a message; a WAV cut short is read to its end', async () => {
  const { dir, session, last } = open();
  await session.handle({ type: 'ready' });
  await session.handle({ type: 'requestSamples', id: 1, track: 0, start: 0, end: 1000, columns: 10, size: 1000 });
  expect(last('error')!.message).toMatch(/1000/);
  expect(last('samples')).toBeUndefined();
  await session.handle({ type: 'requestPeaks', id: 2, track: 0, start: NaN, end: 10, buckets: 5 });
  expect(last('error')!.message).toBe('a request for peaks with start NaN: not a number');
  expect(last('peaks')).toBeUndefined();
  // One WAV opened on its own: a file cut mid-data still opens, with a warning.
  const wav = join(dir, 'step_0', 'target_wav_0.wav');
  truncateSync(wav, 1000);
  const single = open({ path: wav, single: true });
  await single.session.handle({ type: 'ready' });
  const [track] = single.last('sample')!.tracks;
  expect([track.role, track.name]).toEqual(['file', 'target_wav_0.wav']);
  expect(track.warnings.join(' ')).toMatch(/./);
  await session.dispose();
  await single.session.dispose();
});

test('hostile messages from the page: every one answered or refused in turn, nothing thrown, no unbounded reply', async () => {
  const { session, posted } = open();
  await session.handle({ type: 'ready' });
  const value = fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.double(), fc.constant(NaN), fc.constant(Infinity), fc.string(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 3 }));
  const message = fc.record({
    type: fc.constantFrom('ready', 'select', 'requestPeaks', 'requestSamples', 'bogus', '__proto__'),
    id: value, track: fc.oneof(fc.constantFrom(0, 1, 2), value), step: fc.oneof(fc.constantFrom(0, 500), value), sample: value,
    start: value, end: value, buckets: value, columns: value, size: fc.oneof(fc.constantFrom(256, 2048), value),
  });
  await fc.assert(fc.asyncProperty(fc.array(message, { maxLength: 6 }), async (messages) => {
    const from = posted.length;
    await Promise.all(messages.map((m) => session.handle(m as never)));
    for (const m of posted.slice(from)) {
      expect(['steps', 'sample', 'peaks', 'samples', 'error']).toContain(m.type);
      if (m.type === 'peaks') expect(m.min.every((a) => a.length <= 8192)).toBe(true);
      if (m.type === 'samples') expect(m.samples.length).toBeLessThanOrEqual(4096 * 32768);
      if (m.type === 'error') expect(m.message.length).toBeGreaterThan(0);
    }
  }), { numRuns: 60 });
  await session.dispose();
}, 60_000);
