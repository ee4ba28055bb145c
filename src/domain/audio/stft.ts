// Short-time Fourier transform for spectrograms: Hann windows, magnitude in dB scaled so a
// sine of amplitude A reads 20·log10(A) dB in its bin, and frequency axes (linear, log, mel)
// as a mapping from display rows to spectrum bins. Pure: runs in the host, the CLI and the
// webview's worker alike.
import { RealFft } from './fft';

export const MIN_WINDOW = 256;
export const MAX_WINDOW = 16384;
export const DEFAULT_WINDOW = 2048;
export const DEFAULT_HOP = 512;
/** The level a silent bin reads, instead of -Infinity. */
export const FLOOR_DB = -240;

export type FrequencyScale = 'linear' | 'log' | 'mel';

/** The periodic Hann window (the one that sums to a constant at hop size/4 and size/2). */
export function hann(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}

export function checkWindow(size: number, hop: number): void {
  if (!Number.isInteger(size) || size < MIN_WINDOW || size > MAX_WINDOW || (size & (size - 1)) !== 0) throw new RangeError(`window must be a power of two from ${MIN_WINDOW} to ${MAX_WINDOW}, not ${size}`);
  if (!Number.isInteger(hop) || hop < 1 || hop > size) throw new RangeError(`hop must be a whole number from 1 to the window size (${size}), not ${hop}`);
}

/** How many full windows fit in `length` samples. */
export function frameCount(length: number, size: number, hop: number): number {
  return length < size ? 0 : Math.floor((length - size) / hop) + 1;
}

export class Stft {
  readonly bins: number;
  readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Turns |X[k]| into the amplitude of a sine centred on bin k. */
  private readonly amplitude: number;

  constructor(readonly size = DEFAULT_WINDOW, readonly hop = DEFAULT_HOP) {
    checkWindow(size, hop);
    this.fft = new RealFft(size);
    this.window = hann(size);
    this.bins = size / 2 + 1;
    this.re = new Float64Array(this.bins);
    this.im = new Float64Array(this.bins);
    let sum = 0;
    for (const w of this.window) sum += w;
    this.amplitude = 2 / sum;
  }

  /** The windowed spectrum of `signal[start … start + size)`, as |X[k]| (unnormalised). */
  magnitudes(signal: ArrayLike<number>, start: number, out: Float64Array): Float64Array {
    this.fft.forward(signal, this.re, this.im, this.window, start);
    const { re, im } = this;
    for (let k = 0; k < this.bins; k++) out[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
    return out;
  }

  /** Level of each bin in dB (a full-scale sine on a bin reads 0 dB), into `out`. */
  levels(signal: ArrayLike<number>, start: number, out: Float32Array): Float32Array {
    this.fft.forward(signal, this.re, this.im, this.window, start);
    const { re, im, bins } = this;
    const scale = this.amplitude * this.amplitude;
    for (let k = 0; k < bins; k++) out[k] = (re[k] * re[k] + im[k] * im[k]) * scale;
    // DC and Nyquist have no mirrored half: their amplitude is half as large.
    out[0] /= 4;
    out[bins - 1] /= 4;
    return powersToDb(out);
  }

  /**
   * Levels of every full window of `signal` from `start`, frame-major: frame f's bins are
   * out[f·bins … (f+1)·bins). `maxFrames` bounds the work and the memory.
   */
  spectrogram(signal: ArrayLike<number>, maxFrames = Infinity, start = 0): { frames: number; data: Float32Array } {
    const frames = Math.min(maxFrames, frameCount(signal.length - start, this.size, this.hop));
    const data = new Float32Array(frames * this.bins);
    for (let f = 0; f < frames; f++) this.levels(signal, start + f * this.hop, data.subarray(f * this.bins, (f + 1) * this.bins));
    return { frames, data };
  }
}

const DB_PER_OCTAVE = 10 * Math.log10(2);
const MANTISSA = 2 ** -23;

/**
 * Powers to dB in place, through the float32 bits: exponent plus a polynomial for the
 * mantissa's log2 (error under 2e-6 dB). Math.log10 per bin cost as much as the FFT.
 */
export function powersToDb(values: Float32Array): Float32Array {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  for (let k = 0; k < values.length; k++) {
    const b = bits[k];
    const exponent = b >>> 23;
    // Zero, subnormal (< -380 dB), negative or NaN: silence.
    if (exponent === 0 || exponent >= 255 || b < 0) {
      values[k] = exponent === 255 && (b & 0x7fffff) === 0 && b > 0 ? Infinity : FLOOR_DB;
      continue;
    }
    const f = (b & 0x7fffff) * MANTISSA;
    // log2(1 + f) = f + f(1 - f)·q(f), q fitted by least squares on Chebyshev nodes.
    const q = 0.4426627646224469 + f * (-0.2778250624905324 + f * (0.1950905182787404 + f * (-0.12888130035597362 + f * (0.06244901181437704 + f * -0.014865402313466752))));
    const db = DB_PER_OCTAVE * (exponent - 127 + f + f * (1 - f) * q);
    values[k] = db < FLOOR_DB ? FLOOR_DB : db;
  }
  return values;
}

export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/**
 * A frequency scale over [lowest, Nyquist]: `position(hz)` is 0 at the bottom and 1 at the top,
 * `hzAt` its inverse. Log and mel start at `minHz` (> 0); linear at 0.
 */
export function frequencyScale(scale: FrequencyScale, sampleRate: number, minHz = 20): { lowest: number; nyquist: number; position(hz: number): number; hzAt(position: number): number } {
  const nyquist = sampleRate / 2;
  const lowest = scale === 'linear' ? 0 : Math.min(Math.max(1e-3, minHz), nyquist / 2);
  const to = scale === 'log' ? Math.log : scale === 'mel' ? hzToMel : (f: number) => f;
  const from = scale === 'log' ? Math.exp : scale === 'mel' ? melToHz : (v: number) => v;
  const a = to(lowest), b = to(nyquist);
  return { lowest, nyquist, position: (hz) => (to(hz) - a) / (b - a), hzAt: (p) => from(a + p * (b - a)) };
}

/**
 * The `rows + 1` boundaries of display rows, bottom (row 0) to top, from the lowest
 * frequency to Nyquist, evenly spaced on the scale. Log and mel start at `minHz` (> 0).
 */
export function rowEdges(scale: FrequencyScale, rows: number, sampleRate: number, minHz = 20): Float64Array {
  const { lowest, nyquist, hzAt } = frequencyScale(scale, sampleRate, minHz);
  return Float64Array.from({ length: rows + 1 }, (_, i) => (i === 0 ? lowest : i === rows ? nyquist : hzAt(i / rows)));
}

/**
 * For each display row, the bins [start, end) it shows: a row wider than a bin takes the
 * loudest of its bins (a tone never falls between rows), a narrower one its nearest bin.
 */
export function rowBins(scale: FrequencyScale, rows: number, size: number, sampleRate: number, minHz = 20): Uint32Array {
  const edges = rowEdges(scale, rows, sampleRate, minHz);
  const last = size / 2;
  const binWidth = sampleRate / size;
  // The first bin whose centre is at or above hz.
  const firstFrom = (hz: number) => Math.min(last + 1, Math.max(0, Math.ceil(hz / binWidth - 1e-9)));
  const out = new Uint32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    let start = firstFrom(edges[r]);
    let end = r === rows - 1 ? last + 1 : firstFrom(edges[r + 1]);
    if (end <= start) {
      start = Math.min(last, Math.round((edges[r] + edges[r + 1]) / 2 / binWidth));
      end = start + 1;
    }
    out[2 * r] = start;
    out[2 * r + 1] = end;
  }
  return out;
}

/** One frame's levels resampled to display rows with `rowBins`' ranges (max in each). */
export function levelsToRows(levels: Float32Array, ranges: Uint32Array, out: Float32Array): Float32Array {
  for (let r = 0; r < out.length; r++) {
    let m = -Infinity;
    for (let k = ranges[2 * r]; k < ranges[2 * r + 1] && k < levels.length; k++) if (levels[k] > m) m = levels[k];
    out[r] = m === -Infinity ? FLOOR_DB : m;
  }
  return out;
}
