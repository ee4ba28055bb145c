// What an audio view needs of a WAV for one visible range, bounded whatever the file's
// length: min/max peaks per pixel, and the samples a spectrogram of that range needs.
import type { ByteSource } from '../artifacts/source';
import { readWavFrames, readWavPeaks, type WavInfo } from '../artifacts/wav';

/** Ranges up to this many frames are scanned whole for peaks (~3 min at 48 kHz). */
export const EXACT_PEAK_FRAMES = 1 << 23;
/** Frames read per bucket when a range is too long to scan: a sampled overview. */
const PROBE_FRAMES = 2048;

export interface RangePeaks {
  /** channels × buckets */
  min: Float32Array[];
  max: Float32Array[];
  /** False for a sampled overview of a long range (zoom in for exact peaks). */
  exact: boolean;
}

function clampRange(info: WavInfo, start: number, end: number): [number, number] {
  const s = Math.max(0, Math.min(info.frames, Math.floor(start)));
  return [s, Math.max(s, Math.min(info.frames, Math.ceil(end)))];
}

export async function rangePeaks(src: ByteSource, info: WavInfo, start: number, end: number, buckets: number): Promise<RangePeaks> {
  [start, end] = clampRange(info, start, end);
  buckets = Math.max(1, Math.min(8192, Math.floor(buckets)));
  if (end - start <= EXACT_PEAK_FRAMES) return { ...(await readWavPeaks(src, info, buckets, start, end)), exact: true };
  // Long: a few thousand frames from the middle of each bucket, so opening an hour-long
  // file reads ~buckets × 2048 frames instead of all of it.
  const min = Array.from({ length: info.channels }, () => new Float32Array(buckets));
  const max = Array.from({ length: info.channels }, () => new Float32Array(buckets));
  const span = (end - start) / buckets;
  for (let b = 0; b < buckets; b++) {
    const at = Math.floor(start + b * span + Math.max(0, span - PROBE_FRAMES) / 2);
    const frames = await readWavFrames(src, info, at, Math.min(PROBE_FRAMES, end - at));
    for (let c = 0; c < info.channels; c++) {
      let lo = Infinity, hi = -Infinity;
      for (const v of frames[c]) { if (v < lo) lo = v; if (v > hi) hi = v; }
      min[c][b] = lo === Infinity ? 0 : lo;
      max[c][b] = hi === -Infinity ? 0 : hi;
    }
  }
  return { min, max, exact: false };
}

/** Samples for a spectrogram of [start, end) with `columns` windows of `size`, as mono. */
export type SpectrogramSamples =
  /** The whole range (plus half a window either side), when that is no more than the windows. */
  | { mode: 'contiguous'; first: number; samples: Float32Array }
  /** One window of `size` samples per column, centred on the column's time. */
  | { mode: 'gathered'; samples: Float32Array };

function mono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i];
  for (let i = 0; i < out.length; i++) out[i] /= channels.length;
  return out;
}

export async function spectrogramSamples(src: ByteSource, info: WavInfo, start: number, end: number, columns: number, size: number): Promise<SpectrogramSamples> {
  [start, end] = clampRange(info, start, end);
  columns = Math.max(1, Math.min(4096, Math.floor(columns)));
  const first = Math.max(0, start - size / 2), last = Math.min(info.frames, end + size / 2);
  if (last - first <= columns * size) return { mode: 'contiguous', first, samples: mono(await readWavFrames(src, info, first, last - first)) };
  const samples = new Float32Array(columns * size);
  const step = (end - start) / columns;
  for (let c = 0; c < columns; c++) {
    const centre = start + (c + 0.5) * step;
    const at = Math.max(0, Math.min(info.frames - size, Math.round(centre - size / 2)));
    samples.set(mono(await readWavFrames(src, info, at, Math.min(size, info.frames - at))), c * size);
  }
  return { mode: 'gathered', samples };
}
