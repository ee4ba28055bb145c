// The live panel's bookkeeping, kept apart from the DOM so it can be tested: which channels
// to show, the scrolling history of waveform buckets, frame pacing, and the quality ladder
// that trades spectrogram detail for time when frames run long.
import { MIN_WINDOW } from '../../src/domain/audio/stft';

/** At most this many waveform lanes: past it the lanes are too thin to read. */
export const MAX_LANES = 64;

/** "0-3, 6" → [0, 1, 2, 3, 6], checked against the buffer's channel count. */
export function parseChannels(text: string, count: number): { channels: number[] } | { error: string } {
  const out: number[] = [];
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { error: 'no channels: type e.g. 0-7 or 0,2,5' };
  for (const part of parts) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return { error: `"${part}" is not a channel or a range like 0-7` };
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return { error: `${part}: the range runs backwards` };
    if (b >= count) return { error: `channel ${b} does not exist (the buffer has ${count}: 0-${count - 1})` };
    for (let c = a; c <= b && out.length <= MAX_LANES; c++) if (!out.includes(c)) out.push(c);
  }
  if (out.length > MAX_LANES) return { error: `${out.length} channels; at most ${MAX_LANES} are shown at once` };
  return { channels: out };
}

/**
 * Min/max buckets of each lane over the visible span, newest at the end. `end` is the stream
 * position after the newest bucket; a jump in the stream leaves NaN buckets (a gap).
 */
export class WaveHistory {
  readonly min: Float32Array[];
  readonly max: Float32Array[];
  end = 0;

  constructor(readonly lanes: number, readonly buckets: number, readonly bucket: number) {
    this.min = Array.from({ length: lanes }, () => new Float32Array(buckets).fill(NaN));
    this.max = Array.from({ length: lanes }, () => new Float32Array(buckets).fill(NaN));
  }

  /** Buckets for samples [start, start + n·bucket); starts the history over when `fresh`. */
  append(start: number, min: Float32Array[], max: Float32Array[], fresh: boolean): void {
    const n = min[0]?.length ?? 0;
    const newEnd = start + n * this.bucket;
    if (!fresh && newEnd <= this.end) return;
    // Fresh: every bucket shifts out, so the whole history is cleared before the new ones land.
    const shift = fresh ? this.buckets : Math.min(this.buckets, (newEnd - this.end) / this.bucket);
    for (let k = 0; k < this.lanes; k++) {
      for (const [dst, src] of [[this.min[k], min[k]], [this.max[k], max[k]]] as const) {
        if (shift < this.buckets) dst.copyWithin(0, shift);
        dst.fill(NaN, this.buckets - shift);
        const take = Math.min(n, this.buckets);
        dst.set(src.subarray(n - take), this.buckets - take);
      }
    }
    this.end = newEnd;
  }

  /** Stream position of bucket i's first sample. */
  sampleAt(i: number): number {
    return this.end - (this.buckets - i) * this.bucket;
  }
}

/**
 * Frames drawn per second, and frames missed: those the host held back because the view had
 * not drawn what it was sent (the host counts them; a read with nothing new sends no frame).
 */
export class FramePacer {
  private times: number[] = [];
  dropped = 0;
  /** Frames drawn while data flowed. */
  drawnCount = 0;

  drawn(now: number, held = 0): void {
    this.dropped += held;
    this.drawnCount++;
    this.times.push(now);
    while (this.times.length > 0 && now - this.times[0] > 1000) this.times.shift();
  }

  /** Data stopped flowing (frozen, writer stopped): the rate starts over. */
  pause(): void {
    this.times = [];
  }

  get fps(): number {
    return this.times.length > 1 ? ((this.times.length - 1) * 1000) / (this.times[this.times.length - 1] - this.times[0]) : 0;
  }
}

export interface Quality {
  window: number;
  hop: number;
  /** 0 = as chosen; each level halves the work. */
  level: number;
}

/**
 * Level 0 is the chosen window with hop window/4; each level up halves the spectrogram's
 * work: first fewer windows (hop ×2, twice), then a smaller FFT (window /2), down to 256.
 */
export function qualityAt(window: number, level: number): Quality {
  let w = window, hop = window / 4;
  for (let l = 0; l < level; l++) {
    if (hop < w) hop *= 2;
    else if (w > MIN_WINDOW) { w /= 2; hop = w; }
    else return { window: w, hop, level: l };
  }
  return { window: w, hop, level };
}

/** Steps the level up after frames over budget, back down after a long run well under it. */
export class QualityGovernor {
  private averageMs = 0;
  private calm = 0;
  level = 0;
  /** The average frame time that last forced the level up. */
  slowMs = 0;

  constructor(private budgetMs: number, private readonly window: () => number) {}

  /** The spectrogram work of one frame took `ms`; true when the level changed. */
  record(ms: number): boolean {
    this.averageMs = this.averageMs === 0 ? ms : this.averageMs * 0.8 + ms * 0.2;
    if (this.averageMs > this.budgetMs) {
      const next = qualityAt(this.window(), this.level + 1);
      this.calm = 0;
      if (next.level === this.level) return false;
      this.level = next.level;
      this.slowMs = this.averageMs;
      this.averageMs = 0; // measured afresh at the new level
      return true;
    }
    if (this.level > 0 && this.averageMs < this.budgetMs / 4 && ++this.calm > 120) {
      this.level--;
      this.calm = 0;
      this.averageMs = 0;
      return true;
    }
    return false;
  }

  reset(): void {
    this.level = 0;
    this.averageMs = 0;
    this.calm = 0;
  }
}
