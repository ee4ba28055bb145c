// DSP ground truth: the FFT against a direct DFT, a sine's level and bin, Parseval's
// relation, the window's normalisation, and the display-row mapping of each frequency scale.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { RealFft } from '../../../src/domain/audio/fft';
import { checkWindow, FLOOR_DB, frameCount, hann, hzToMel, levelsToRows, melToHz, powersToDb, rowBins, rowEdges, Stft } from '../../../src/domain/audio/stft';

function dft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length, bins = n / 2 + 1;
  const re = new Float64Array(bins), im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < n; t++) {
      re[k] += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
      im[k] += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
    }
  }
  return { re, im };
}

function sine(n: number, hz: number, rate: number, amplitude = 1, phase = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, t) => amplitude * Math.sin((2 * Math.PI * hz * t) / rate + phase));
}

test('the real FFT equals a direct DFT for every power-of-two size, at any offset', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 7 }), fc.integer(), (log2, offset, seed) => {
    const n = 1 << log2;
    let s = seed >>> 0;
    const signal = Float64Array.from({ length: n + offset }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 31) - 1);
    const want = dft(signal.subarray(offset));
    const re = new Float64Array(n / 2 + 1), im = new Float64Array(n / 2 + 1);
    new RealFft(n).forward(signal, re, im, undefined, offset);
    for (let k = 0; k <= n / 2; k++) {
      expect(re[k]).toBeCloseTo(want.re[k], 9);
      expect(im[k]).toBeCloseTo(want.im[k], 9);
    }
  }), { numRuns: 60 });
});

test('sizes that are not powers of two from 4 up are refused', () => {
  for (const n of [0, 2, 3, 6, 1000, 2.5, NaN]) expect(() => new RealFft(n)).toThrow(/power of two/);
  expect(() => checkWindow(128, 64)).toThrow(/256 to 16384/);
  expect(() => checkWindow(32768, 64)).toThrow(/256 to 16384/);
  expect(() => checkWindow(2048, 0)).toThrow(/hop/);
  expect(() => checkWindow(2048, 4096)).toThrow(/hop/);
  expect(() => checkWindow(2048, 512)).not.toThrow();
});

test('a sine peaks in its bin at its amplitude in dB, for every window size', () => {
  const rate = 48_000;
  for (const size of [256, 1024, 2048, 16384]) {
    const stft = new Stft(size, size / 4);
    for (const bin of [3, 17, size / 8, size / 2 - 5]) {
      const hz = (bin * rate) / size;
      const out = stft.levels(sine(size, hz, rate, 0.5, 0.3), 0, new Float32Array(stft.bins));
      const peak = out.indexOf(Math.max(...out));
      expect(peak).toBe(bin);
      expect(out[peak]).toBeCloseTo(20 * Math.log10(0.5), 3); // -6.02 dB
    }
  }
});

test('a tone between bins peaks at the nearest bin, within the Hann scalloping loss (1.42 dB)', () => {
  const stft = new Stft(2048, 512);
  const out = stft.levels(sine(2048, 1000, 44_100), 0, new Float32Array(stft.bins));
  const peak = out.indexOf(Math.max(...out));
  expect(peak).toBe(Math.round((1000 * 2048) / 44_100));
  expect(out[peak]).toBeGreaterThan(-1.43);
  expect(out[peak]).toBeLessThanOrEqual(0);
});

test("Parseval's relation holds for the windowed signal", () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 256, maxLength: 256 }), (xs) => {
    const stft = new Stft(256, 64);
    const mags = stft.magnitudes(xs, 0, new Float64Array(stft.bins));
    let time = 0;
    xs.forEach((x, i) => { time += (x * stft.window[i]) ** 2; });
    let freq = mags[0] ** 2 + mags[128] ** 2;
    for (let k = 1; k < 128; k++) freq += 2 * mags[k] ** 2;
    expect(freq / 256).toBeCloseTo(time, 8);
  }), { numRuns: 40 });
});

test('the Hann window is periodic, sums to size/2, and its overlaps at hop size/4 sum to a constant', () => {
  const w = hann(2048);
  expect(w[0]).toBe(0);
  expect(w[1024]).toBeCloseTo(1, 12);
  expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1024, 9);
  for (const i of [0, 100, 511]) expect(w[i] + w[i + 512] + w[i + 1024] + w[i + 1536]).toBeCloseTo(2, 12);
  // So a constant 1 reads 0 dB at DC, and silence reads the floor, not -Infinity.
  const stft = new Stft(2048, 512);
  expect(stft.levels(new Float64Array(2048).fill(1), 0, new Float32Array(stft.bins))[0]).toBeCloseTo(0, 6);
  expect(stft.levels(new Float64Array(2048), 0, new Float32Array(stft.bins)).every((v) => v === FLOOR_DB)).toBe(true);
});

test('a spectrogram has one frame per full window, and follows a chirp upwards', () => {
  const rate = 16_000, size = 512, hop = 128;
  expect(frameCount(511, size, hop)).toBe(0);
  expect(frameCount(512, size, hop)).toBe(1);
  expect(frameCount(512 + 127, size, hop)).toBe(1);
  expect(frameCount(512 + 128, size, hop)).toBe(2);
  // 500 Hz → 4500 Hz over one second.
  const x = Float64Array.from({ length: rate }, (_, t) => Math.sin(2 * Math.PI * (500 * (t / rate) + 2000 * (t / rate) ** 2)));
  const stft = new Stft(size, hop);
  const { frames, data } = stft.spectrogram(x);
  expect(frames).toBe(frameCount(rate, size, hop));
  const peaks = Array.from({ length: frames }, (_, f) => { const row = data.subarray(f * stft.bins, (f + 1) * stft.bins); return row.indexOf(Math.max(...row)); });
  for (let f = 1; f < frames; f++) expect(peaks[f]).toBeGreaterThanOrEqual(peaks[f - 1]);
  const mid = (frames >> 1) * hop + size / 2;
  expect(peaks[frames >> 1] * rate / size).toBeCloseTo(500 + 4000 * (mid / rate), -2);
  expect(stft.spectrogram(x, 5).frames).toBe(5);
});

test('mel conversion round-trips; 1000 Hz is about 1000 mel', () => {
  expect(hzToMel(1000)).toBeCloseTo(1000, -1);
  for (const hz of [0, 20, 440, 8000, 96_000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 6);
});

test('display rows tile the spectrum without gaps on every scale, and a tone shows in its row', () => {
  const size = 2048, rate = 48_000, bins = size / 2 + 1;
  for (const scale of ['linear', 'log', 'mel'] as const) {
    for (const rows of [64, 300, 2000]) {
      const edges = rowEdges(scale, rows, rate);
      expect(edges[rows]).toBe(24_000);
      for (let r = 0; r < rows; r++) expect(edges[r + 1]).toBeGreaterThan(edges[r]);
      const ranges = rowBins(scale, rows, size, rate);
      for (let r = 0; r < rows; r++) {
        expect(ranges[2 * r + 1]).toBeGreaterThan(ranges[2 * r]);
        if (r > 0) expect(ranges[2 * r]).toBeGreaterThanOrEqual(ranges[2 * r - 2]);
        if (r > 0 && ranges[2 * r - 1] - ranges[2 * r - 2] > 1) expect(ranges[2 * r]).toBe(ranges[2 * r - 1]); // wide rows meet
      }
      expect(ranges[2 * rows - 1]).toBe(bins);
      // A 3 kHz tone: the row holding 3 kHz reads its level.
      const stft = new Stft(size, 512);
      const levels = stft.levels(sine(size, 3000, rate, 0.25), 0, new Float32Array(bins));
      const out = levelsToRows(levels, ranges, new Float32Array(rows));
      const row = edges.findIndex((e) => e > 3000) - 1;
      expect(out[row]).toBeCloseTo(20 * Math.log10(0.25), 1);
      expect(Math.max(...out)).toBeCloseTo(20 * Math.log10(0.25), 1);
    }
  }
  expect(rowEdges('log', 10, 48_000, 20)[0]).toBe(20);
  expect(rowEdges('linear', 10, 48_000)[0]).toBe(0);
});

test('powersToDb matches 10·log10 within 1e-5 dB (plus float32 rounding) above the floor, and maps the edges', () => {
  fc.assert(fc.property(fc.float({ min: Math.fround(1e-23), max: Math.fround(1e30), noNaN: true }), (p) => {
    const want = 10 * Math.log10(Math.fround(p));
    expect(Math.abs(powersToDb(Float32Array.of(p))[0] - want)).toBeLessThan(1e-5 + 1e-7 * Math.abs(want));
  }), { numRuns: 5000 });
  expect(powersToDb(Float32Array.of(1e-30))[0]).toBe(FLOOR_DB);
  expect(Array.from(powersToDb(Float32Array.of(0, -1, NaN, Infinity, 1e-40, 1, 100)))).toEqual([FLOOR_DB, FLOOR_DB, FLOOR_DB, Infinity, FLOOR_DB, 0, 20]);
});
