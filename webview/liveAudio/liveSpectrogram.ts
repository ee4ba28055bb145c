// The scrolling spectrogram's STFT: samples arrive a frame at a time and each call returns
// the columns that became complete. Column j's window is samples [j·hop − window, j·hop), so
// a column's place depends on the stream position alone and the picture scrolls by whole
// columns. The last window of samples is kept between calls; a gap in the stream (an
// overrun or a skip) leaves NaN columns, drawn as blanks rather than made up.
import { levelsToRows, rowBins, Stft } from '../../src/domain/audio/stft';
import type { FrequencyScaleName } from '../../src/protocol/audio';
import { tableEntry } from '../evalAudio/spectrogramImage';
import { colormapRgba } from '../common/colormaps';

export interface LiveSpectrogramParams {
  window: number;
  hop: number;
  sampleRate: number;
  scale: FrequencyScaleName;
  rows: number;
}

export interface SpectrogramColumns {
  /** Index of the first column; column j ends at sample j·hop. */
  first: number;
  count: number;
  rows: number;
  /** Level in dB of column c, row r (r = 0 at the bottom) at c·rows + r; NaN where samples are missing. */
  levels: Float32Array;
}

export class LiveSpectrogram {
  private readonly stft: Stft;
  private readonly ranges: Uint32Array;
  private readonly bins: Float32Array;
  /** The newest samples seen, ending at `tailEnd`. */
  private tail = new Float32Array(0);
  private tailEnd = -1;
  private next: number | undefined;

  constructor(readonly params: LiveSpectrogramParams) {
    this.stft = new Stft(params.window, params.hop);
    this.ranges = rowBins(params.scale, params.rows, params.window, params.sampleRate);
    this.bins = new Float32Array(this.stft.bins);
  }

  /** Samples [start, start + samples.length) arrived; returns the new columns, at most `maxColumns` (the newest). */
  push(start: number, samples: Float32Array, maxColumns: number): SpectrogramColumns {
    const { window, hop, rows } = this.params;
    const contiguous = start === this.tailEnd && this.tail.length > 0;
    const buffer = contiguous ? concat(this.tail, samples) : samples;
    const bufferStart = contiguous ? this.tailEnd - this.tail.length : start;
    const end = start + samples.length;
    const last = Math.floor(end / hop);
    const firstWhole = Math.ceil((bufferStart + window) / hop);
    let first = this.next ?? firstWhole;
    if (last - first + 1 > maxColumns) first = last - maxColumns + 1;
    const count = Math.max(0, last - first + 1);
    const levels = new Float32Array(count * rows).fill(NaN);
    for (let j = Math.max(first, firstWhole); j <= last; j++) {
      this.stft.levels(buffer, j * hop - window - bufferStart, this.bins);
      levelsToRows(this.bins, this.ranges, levels.subarray((j - first) * rows, (j - first + 1) * rows));
    }
    if (count > 0) this.next = last + 1;
    this.tail = buffer.slice(Math.max(0, buffer.length - window));
    this.tailEnd = end;
    return { first, count, rows, levels };
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// ---- drawn at the lanes' resolution: one pixel column per waveform bucket, so the picture
// scrolls with the lanes (by whole buckets) and nothing on the page moves.

/** The STFT column shown over display bucket `b` (samples [b·bucket, (b+1)·bucket)): the one whose hop-wide span, centred in its window, holds the bucket's middle. */
export function columnOfBucket(b: number, bucket: number, window: number, hop: number): number {
  return Math.floor(((b + 0.5) * bucket + window / 2 + hop / 2) / hop);
}

/** The last bucket whose column is `column` or before. */
export function lastBucketOf(column: number, bucket: number, window: number, hop: number): number {
  return Math.ceil(((column + 1) * hop - window / 2 - hop / 2) / bucket - 0.5) - 1;
}

/** The columns kept for hover and recolouring: `columns` of them, the newest `lastColumn`, levels as in SpectrogramColumns. */
export interface KeptColumns {
  levels: Float32Array;
  columns: number;
  rows: number;
  lastColumn: number;
}

/**
 * Colours buckets [from, from + count) into `pixels` (an RGBA image `count` wide, rows tall,
 * top row first, as 32-bit pixels): each bucket takes its column's levels, `range` mapped onto
 * the colour `table`; a bucket whose column is not kept, or a NaN level, stays transparent.
 */
export function paintBuckets(pixels: Uint32Array, from: number, count: number, bucket: number, window: number, hop: number, kept: KeptColumns, table: Uint8Array, range: [number, number]): void {
  const { levels, columns, rows, lastColumn } = kept;
  const colours = packedColours(table);
  const entry = tableEntry(range);
  const oldest = lastColumn - columns + 1;
  pixels.fill(0, 0, count * rows);
  for (let x = 0; x < count; x++) {
    const c = columnOfBucket(from + x, bucket, window, hop) - oldest;
    if (c < 0 || c >= columns) continue;
    for (let r = 0; r < rows; r++) {
      const v = levels[c * rows + r];
      if (v !== v) continue;
      pixels[(rows - 1 - r) * count + x] = colours[entry(v)];
    }
  }
}

const packed = new WeakMap<Uint8Array, Uint32Array>();
/** A colour table's 256 entries as opaque 32-bit pixels (RGBA bytes in memory order). */
function packedColours(table: Uint8Array): Uint32Array {
  let out = packed.get(table);
  if (!out) {
    out = new Uint32Array(colormapRgba(table).buffer);
    packed.set(table, out);
  }
  return out;
}
