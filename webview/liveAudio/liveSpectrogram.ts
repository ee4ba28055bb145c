// The scrolling spectrogram's STFT: samples arrive a frame at a time and each call returns
// the columns that became complete. Column j's window is samples [j·hop − window, j·hop), so
// a column's place depends on the stream position alone and the picture scrolls by whole
// columns. The last window of samples is kept between calls; a gap in the stream (an
// overrun or a skip) leaves NaN columns, drawn as blanks rather than made up.
import { levelsToRows, rowBins, Stft } from '../../src/domain/audio/stft';
import type { FrequencyScaleName } from '../../src/protocol/audio';

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
