// Issue 7: STFT throughput, 2048-point Hann windows to dB levels, ours against fft.js (a
// well-known radix-4 JS FFT) doing the same windowing and levels, in one process.
import FFT from 'fft.js';
import { RealFft } from '../src/domain/audio/fft';
import { Stft } from '../src/domain/audio/stft';

const SIZE = 2048, HOP = 512, RATE = 48_000;
const signal = Float64Array.from({ length: RATE * 30 }, (_, t) => 0.5 * Math.sin((2 * Math.PI * 440 * t) / RATE) + 0.1 * Math.sin(t * 0.37));
const windows = Math.floor((signal.length - SIZE) / HOP) + 1;

function ours(): Float32Array {
  const stft = new Stft(SIZE, HOP);
  const out = new Float32Array(stft.bins);
  for (let f = 0; f < windows; f++) stft.levels(signal, f * HOP, out);
  return out;
}

function theirs(): Float32Array {
  const fft = new FFT(SIZE);
  const window = new Stft(SIZE, HOP).window;
  const input = new Float64Array(SIZE);
  const spectrum = fft.createComplexArray() as number[];
  const bins = SIZE / 2 + 1;
  const out = new Float32Array(bins);
  let sum = 0;
  for (const w of window) sum += w;
  const scale = (2 / sum) ** 2;
  for (let f = 0; f < windows; f++) {
    for (let i = 0; i < SIZE; i++) input[i] = signal[f * HOP + i] * window[i];
    fft.realTransform(spectrum, input);
    for (let k = 0; k < bins; k++) {
      const p = (spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2) * scale;
      out[k] = p > 0 ? Math.max(-240, 10 * Math.log10(k === 0 || k === bins - 1 ? p / 4 : p)) : -240;
    }
  }
  return out;
}

// The transforms alone, same input, no window and no levels.
const frame = signal.subarray(0, SIZE);
function oursFft(): Float32Array {
  const fft = new RealFft(SIZE);
  const re = new Float64Array(SIZE / 2 + 1), im = new Float64Array(SIZE / 2 + 1);
  for (let f = 0; f < windows; f++) fft.forward(frame, re, im);
  return Float32Array.from(re);
}
function theirsFft(): Float32Array {
  const fft = new FFT(SIZE);
  const out = fft.createComplexArray() as number[];
  for (let f = 0; f < windows; f++) fft.realTransform(out, frame);
  return Float32Array.from(out.filter((_, i) => i % 2 === 0).slice(0, SIZE / 2 + 1));
}

function time(fn: () => Float32Array): number {
  fn(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return runs.sort((a, b) => a - b)[2];
}

// Same answer first: the benchmark compares two correct programs.
const a = ours(), b = theirs();
for (let k = 0; k < a.length; k++) if (Math.abs(a[k] - b[k]) > 1e-3 && a[k] > -200) throw new Error(`bin ${k}: ours ${a[k]} dB, fft.js ${b[k]} dB`);
const fa = oursFft(), fb = theirsFft();
for (let k = 0; k < fa.length; k++) if (Math.abs(fa[k] - fb[k]) > 1e-6 * SIZE) throw new Error(`FFT bin ${k}: ours ${fa[k]}, fft.js ${fb[k]}`);
const us = (ms: number) => (ms * 1000) / windows;
console.log(JSON.stringify({ windows, ours_us: us(time(ours)), fftjs_us: us(time(theirs)), ours_fft_us: us(time(oursFft)), fftjs_fft_us: us(time(theirsFft)) }));
