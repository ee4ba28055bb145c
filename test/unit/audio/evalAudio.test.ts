// Eval steps as the producer lays them out, and what an audio view reads of a WAV for one
// visible range: exact peaks, a bounded sampled overview of a long file, spectrogram samples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { MemorySource } from '../../../src/domain/artifacts/source';
import { readWavInfoFrom } from '../../../src/domain/artifacts/wav';
import { findEvalDir, listEvalSteps, MAX_TEXT_BYTES, readSampleText } from '../../../src/domain/audio/evalAudio';
import { EXACT_PEAK_FRAMES, rangePeaks, spectrogramSamples } from '../../../src/domain/audio/wavRange';
import { realProducer, tempDir } from '../helpers';

const AUDIO = join(__dirname, '..', '..', 'fixtures', 'audio', 'eval_results');

/** A 16-bit mono WAV whose sample i is f(i). */
function wav(frames: number, f: (i: number) => number, rate = 16000): Uint8Array {
  const out = Buffer.alloc(44 + frames * 2);
  out.write('RIFF', 0); out.writeUInt32LE(36 + frames * 2, 4); out.write('WAVE', 8);
  out.write('fmt ', 12); out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24); out.writeUInt32LE(rate * 2, 28); out.writeUInt16LE(2, 32); out.writeUInt16LE(16, 34);
  out.write('data', 36); out.writeUInt32LE(frames * 2, 40);
  for (let i = 0; i < frames; i++) out.writeInt16LE(Math.round(f(i) * 32767), 44 + i * 2);
  return out;
}

test('lists the producer’s steps in numeric order with each sample’s target, prediction and text', async () => {
  const steps = await listEvalSteps(AUDIO);
  expect(steps.map((s) => s.step)).toEqual([0, 500]);
  expect(steps[0].samples).toEqual([
    { index: 0, key: '0', target: 'target_wav_0.wav', pred: 'pred_wav_0.wav', text: 'key_prompt_lyric_0.txt' },
    { index: 1, key: '1', target: 'target_wav_1.wav' },
  ]);
});

test('finds eval_results from a run folder, the folder itself, a step folder or a file in one', async () => {
  const run = join(__dirname, '..', '..', 'fixtures', 'workspace', 'lightning_logs', 'version_0');
  const evalDir = join(run, 'eval_results');
  expect(await findEvalDir(run)).toBe(evalDir);
  expect(await findEvalDir(evalDir)).toBe(evalDir);
  expect(await findEvalDir(join(evalDir, 'step_100'))).toBe(evalDir);
  expect(await findEvalDir(join(evalDir, 'step_100', 'pred_wav_0.wav'))).toBe(evalDir);
  expect(await findEvalDir(join(run, 'checkpoints'))).toBeUndefined();
});

test('odd names are ignored: steps without audio, misnamed files, a text file posing as audio', async () => {
  const dir = tempDir();
  for (const [path, body] of [['step_10/target_wav_0.wav', 'x'], ['step_2/pred_wav_3.wav', 'x'], ['step_5/key_prompt_lyric_0.txt', 'only text'], ['step_x/target_wav_0.wav', 'x'], ['step_7/target_wav_0.txt', 'x'], ['step_7/notes.wav', 'x']]) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  const steps = await listEvalSteps(dir);
  expect(steps.map((s) => [s.step, s.samples.map((x) => x.key)])).toEqual([[2, ['3']], [10, ['0']]]);
});

test('the ACE-Step trainer\'s eval files: one sample per batch key, each with target, prediction and prompt', async () => {
  const evalDir = join(realProducer('acestep', 'trainer', 'lightning_logs', '2026-12-01_19-19-48lora_experiment'), 'eval_results');
  const steps = await listEvalSteps(evalDir);
  expect(steps.map((s) => s.step)).toEqual([0, 25]);
  expect(steps[0].samples.map((x) => [x.key, x.target, x.pred, x.text])).toEqual(['song_0014', 'song_0020', 'song_0024', 'song_0028'].map((k) => [
    `${k}_0`, `target_wav_${k}_0.wav`, `pred_wav_${k}_0.wav`, `key_prompt_lyric_${k}_0.txt`,
  ]));
});

test('sample text is read as text and cut, with a note, past 64 KiB', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.txt'), '<b>hi</b>\n');
  expect(await readSampleText(join(dir, 'a.txt'))).toBe('<b>hi</b>\n');
  writeFileSync(join(dir, 'big.txt'), 'x'.repeat(MAX_TEXT_BYTES + 10));
  const text = await readSampleText(join(dir, 'big.txt'));
  expect(text.startsWith('x'.repeat(MAX_TEXT_BYTES))).toBe(true);
  expect(text.endsWith('… (10 more bytes not shown)')).toBe(true);
});

test('peaks of a range are exact: a ramp’s buckets hold its min and max', async () => {
  const bytes = wav(16000, (i) => i / 16000);
  const src = new MemorySource('ramp.wav', bytes);
  const info = await readWavInfoFrom(src);
  const p = await rangePeaks(src, info, 4000, 8000, 4);
  expect(p.exact).toBe(true);
  expect(Array.from(p.min[0], (v) => Math.round(v * 16000))).toEqual([4000, 5000, 6000, 7000]);
  expect(Array.from(p.max[0], (v) => Math.round(v * 16000))).toEqual([4999, 5999, 6999, 7999]);
  // Ranges past the ends are clamped, not errors.
  expect((await rangePeaks(src, info, -500, 1e12, 2)).max[0][1]).toBeCloseTo(15999 / 16000, 4);
});

test('a range longer than EXACT_PEAK_FRAMES is sampled: bounded reads, the right shape, flagged', async () => {
  const frames = EXACT_PEAK_FRAMES + 1000;
  // A square wave of period 4096: every probe of 2048 frames sees both levels... or one; the
  // sampled peaks stay within the signal's range either way.
  const bytes = wav(frames, (i) => ((i >> 11) & 1 ? 0.5 : -0.25));
  let read = 0;
  const src = new MemorySource('long.wav', bytes);
  const counting = { ...src, name: src.name, size: src.size, read: (o: number, n: number, w?: string) => { read += n; return src.read(o, n, w); }, close: () => src.close() };
  const info = await readWavInfoFrom(counting);
  read = 0;
  const p = await rangePeaks(counting, info, 0, frames, 200);
  expect(p.exact).toBe(false);
  expect(p.min[0]).toHaveLength(200);
  expect(read).toBeLessThanOrEqual(200 * 2048 * 2);
  for (let b = 0; b < 200; b++) {
    expect(p.min[0][b]).toBeGreaterThanOrEqual(-0.2501);
    expect(p.max[0][b]).toBeLessThanOrEqual(0.5001);
  }
});

test('spectrogram samples: the whole range plus half a window when short, one window per column when long', async () => {
  const bytes = wav(16000, (i) => Math.sin(i));
  const src = new MemorySource('s.wav', bytes);
  const info = await readWavInfoFrom(src);
  const short = await spectrogramSamples(src, info, 4000, 6000, 100, 1024);
  expect(short.mode).toBe('contiguous');
  if (short.mode === 'contiguous') {
    expect(short.first).toBe(3488);
    expect(short.samples.length).toBe(6512 - 3488);
    expect(short.samples[0]).toBeCloseTo(Math.sin(3488), 4);
  }
  // The whole file in 10 windows of 2048: 16,000 frames (the margins clamp at the ends) ≤ 20,480.
  expect((await spectrogramSamples(src, info, 0, 16000, 10, 2048)).mode).toBe('contiguous');
  const gathered = await spectrogramSamples(src, info, 0, 16000, 2, 2048);
  expect(gathered.mode).toBe('gathered');
  expect(gathered.samples.length).toBe(2 * 2048);
  // Column 0 is centred on frame 4000: its window starts at 2976.
  expect(gathered.samples[0]).toBeCloseTo(Math.sin(2976), 4);
});
