// A spectrogram image for one visible range: an STFT window per column, levels resampled to
// display rows on the chosen frequency scale, coloured through a 256-entry table. Pure, so
// it runs in the worker and in unit tests alike.
import { FLOOR_DB, levelsToRows, rowBins, Stft } from '../../src/domain/audio/stft';
import type { FrequencyScaleName } from '../../src/protocol/audio';

export interface SpectrogramJob {
  samples: Float32Array;
  /** 'contiguous': samples start at frame `first`; 'gathered': one window per column. */
  mode: 'contiguous' | 'gathered';
  first: number;
  /** The visible range, in frames. */
  start: number;
  end: number;
  columns: number;
  size: number;
  sampleRate: number;
  scale: FrequencyScaleName;
  rows: number;
}

export interface SpectrogramGrid {
  columns: number;
  rows: number;
  /** Level in dB of column c, row r (r = 0 at the bottom) at c·rows + r. */
  levels: Float32Array;
}

export function computeSpectrogram(job: SpectrogramJob): SpectrogramGrid {
  const { samples, columns, size, rows } = job;
  const stft = new Stft(size, size);
  const ranges = rowBins(job.scale, rows, size, job.sampleRate);
  const window = new Float32Array(size);
  const bins = new Float32Array(stft.bins);
  const levels = new Float32Array(columns * rows).fill(FLOOR_DB);
  const step = (job.end - job.start) / columns;
  for (let c = 0; c < columns; c++) {
    let at: number;
    if (job.mode === 'gathered') at = c * size;
    else {
      // Windows at the file's ends move inwards rather than hang over silence (which
      // would smear broadband energy over the first and last columns).
      at = Math.round(job.start + (c + 0.5) * step - size / 2) - job.first;
      if (samples.length >= size) at = Math.max(0, Math.min(samples.length - size, at));
    }
    // A file shorter than a window: zeros after it.
    window.fill(0);
    const from = Math.max(0, at), to = Math.min(samples.length, at + size);
    if (to > from) window.set(samples.subarray(from, to), from - at);
    stft.levels(window, 0, bins);
    levelsToRows(bins, ranges, levels.subarray(c * rows, (c + 1) * rows));
  }
  return { columns, rows, levels };
}

/** A level's entry (0–255) in a colour table, `range` mapped onto the table's length and clamped to it. */
export function tableEntry(range: [number, number]): (level: number) => number {
  const lo = range[0], scale = 255 / Math.max(1e-9, range[1] - range[0]);
  return (v) => Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
}

/** RGBA for an ImageData of columns × rows (top row first), `range` mapped onto the table; NaN levels stay transparent. */
export function colourize(grid: SpectrogramGrid, table: Uint8Array, range: [number, number]): Uint8ClampedArray {
  const { columns, rows, levels } = grid;
  const out = new Uint8ClampedArray(columns * rows * 4);
  const entry = tableEntry(range);
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) {
      const v = levels[c * rows + r];
      const o = ((rows - 1 - r) * columns + c) * 4;
      if (v !== v) continue; // NaN: no samples there; left transparent
      const i = entry(v) * 3;
      out[o] = table[i]; out[o + 1] = table[i + 1]; out[o + 2] = table[i + 2]; out[o + 3] = 255;
    }
  }
  return out;
}

/** Prediction minus target, level by level (the grids must have the same shape). */
export function difference(pred: SpectrogramGrid, target: SpectrogramGrid): SpectrogramGrid {
  const levels = new Float32Array(pred.levels.length);
  for (let i = 0; i < levels.length; i++) levels[i] = pred.levels[i] - target.levels[i];
  return { columns: pred.columns, rows: pred.rows, levels };
}
