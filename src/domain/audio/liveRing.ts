// A live view's reader of a seed-003 ring buffer. Each call returns what the writer added
// since the previous call: min/max buckets of the waveform channels (aligned to multiples of
// the bucket size, so a bucket never changes once sent and the view can scroll by whole
// buckets) and the raw samples of the spectrogram channel. It tells samples the writer
// overwrote before they could be read (overrun) from samples skipped to keep one frame's
// work bounded, and notices restarts and a writer that went quiet.
import { ArtifactError, guard, guardSync } from '../artifacts/errors';
import { checkRingChannels, copyRingSpan, copyRingSpanSync, oldestIntact, readRingHeaderFrom, readRingHeaderSync, ringRestarted, type RingHeader } from '../artifacts/ringBuffer';
import { FileSource, PolledFile, type SyncByteSource } from '../artifacts/source';
import type { LiveSamples } from '../../protocol/audio';
import { writeFloatWav } from './wavWrite';

export interface TapRequest {
  /** Waveform channels, in display order. */
  channels: number[];
  /** Samples per waveform bucket (one bucket ≈ one pixel column). */
  bucket: number;
  /** The channel whose raw samples feed the spectrogram, if any. */
  spectrumChannel?: number;
  /** Samples of history wanted behind the newest when the view starts afresh. */
  history: number;
  /** The view dropped what it had (first frame, resume after freeze). */
  reset?: boolean;
  /** At most this many samples over all the channels read in one frame (bounded memory); older new ones are skipped. */
  maxFrameSamples: number;
}

export interface TapFrame extends LiveSamples {
  header: RingHeader;
}

/** How often the path is looked up for a writer that replaced the file or removed it (reads in between use the open file). */
const PATH_CHECK_MS = 200;
/** A frame's samples up to this many are read into one array kept between frames (no garbage a frame); more get an array of their own. */
const SCRATCH_SAMPLES = 1 << 17;

const alignUp = (n: number, b: number) => Math.ceil(n / b) * b;
const alignDown = (n: number, b: number) => Math.floor(n / b) * b;

/** How long without a new write before the writer counts as stopped: 1 s, or 4 writes' worth if slower. */
export function stoppedAfterMs(h: RingHeader): number {
  return Math.max(1000, (4000 * h.samplesPerWrite) / h.sampleRate);
}

/** Min and max of each `bucket` samples of `data` (whose length is a multiple of it). */
export function bucketExtremes(data: Float64Array, bucket: number, min: Float32Array, max: Float32Array): void {
  for (let k = 0, i = 0; k < min.length; k++) {
    let lo = Infinity, hi = -Infinity;
    for (const end = i + bucket; i < end; i++) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // A bucket of NaNs (a writer bug) shows as a gap, not as a spike to ±Infinity.
    min[k] = lo === Infinity ? NaN : lo;
    max[k] = hi === -Infinity ? NaN : hi;
  }
}

export class LiveRingTap {
  /** Next sample to read; a multiple of the current bucket. */
  private cursor: number | undefined;
  private last: RingHeader | undefined;
  private lastMoveMs = 0;
  /** The request the cursor belongs to (a copy of its channels), and the channels it reads, checked against a buffer of `ringChannels`. */
  private checked: { channels: number[]; spectrumChannel?: number; bucket: number; ringChannels: number; wanted: number[] } | undefined;
  private readonly file: PolledFile;
  /** Which file under the path the cursor belongs to (see PolledFile.generation). */
  private generation = 0;
  private readonly header = new Uint8Array(64);
  private scratch = new Float64Array(0);

  constructor(readonly path: string, private readonly clock: () => number = Date.now) {
    this.file = new PolledFile(path);
  }

  /** Kept open between frames, reopened when a restarted writer replaced the file (which starts the view afresh). Blocking: the reads are a few kilobytes. */
  next(request: TapRequest): TapFrame {
    return guardSync(this.path, () => {
      const src = this.file.current(PATH_CHECK_MS);
      if (src.generation !== this.generation) {
        if (this.generation !== 0) this.last = undefined;
        this.generation = src.generation;
        this.cursor = undefined;
      }
      return this.nextFrom(src, request);
    });
  }

  close(): void {
    this.file.close();
  }

  /**
   * The channels to read for `request`, checked against the buffer; whether it is the request
   * the cursor belongs to. Checked again only when the request or the buffer's shape changes
   * (the stream asks for the same channels 60 times a second).
   */
  private wanted(request: TapRequest, h: RingHeader): { wanted: number[]; same: boolean } {
    const c = this.checked, channels = request.channels;
    if (!Array.isArray(channels)) throw new ArtifactError('inconsistent', this.path, `the channels asked for are not a list (${JSON.stringify(channels) ?? String(channels)})`);
    const same = !!c && c.bucket === request.bucket && c.spectrumChannel === request.spectrumChannel
      && channels.length === c.channels.length && channels.every((x, i) => x === c.channels[i]);
    if (same && c.ringChannels === h.channels) return { wanted: c.wanted, same };
    const wanted = [...new Set([...channels, ...(request.spectrumChannel === undefined ? [] : [request.spectrumChannel])])];
    checkRingChannels(h, wanted, this.path);
    this.checked = { channels: [...channels], spectrumChannel: request.spectrumChannel, bucket: request.bucket, ringChannels: h.channels, wanted };
    return { wanted, same };
  }

  nextFrom(src: SyncByteSource, request: TapRequest): TapFrame {
    const h = readRingHeaderSync(src, this.path, this.header);
    const { bucket, history } = request;
    if (!Number.isSafeInteger(bucket) || bucket < 1) throw new RangeError(`bucket of ${bucket} samples`);
    if (!(history >= 0) || !(request.maxFrameSamples >= bucket)) throw new RangeError(`history ${history}, frame limit ${request.maxFrameSamples}`);
    const { wanted, same } = this.wanted(request, h);
    const maxSamples = Math.max(bucket, Math.floor(request.maxFrameSamples / Math.max(1, wanted.length)));

    const now = this.clock();
    const restarted = !!this.last && ringRestarted(this.last, h);
    if (!this.last || restarted || h.writeSequence !== this.last.writeSequence) this.lastMoveMs = now;
    const fresh = !!request.reset || restarted || this.cursor === undefined || !same;
    this.last = h;

    const written = h.writeSequence * h.samplesPerWrite;
    const end = alignDown(written, bucket);
    const floor = alignUp(oldestIntact(h), bucket);
    let start: number, overrun = 0, skipped = 0;
    if (fresh || this.cursor! > end) {
      start = Math.max(floor, alignUp(Math.max(0, end - history), bucket));
    } else {
      start = this.cursor!;
      if (start < floor) { overrun = floor - start; start = floor; }
    }
    const limit = alignUp(end - alignDown(maxSamples, bucket), bucket);
    if (start < limit) {
      if (!fresh) skipped = limit - start;
      start = limit;
    }
    start = Math.min(start, end);

    // Every channel's span, side by side in one array (kept between frames when small).
    const n = end - start, total = n * wanted.length;
    if (total > this.scratch.length && total <= SCRATCH_SAMPLES) this.scratch = new Float64Array(SCRATCH_SAMPLES);
    const all = total <= this.scratch.length ? this.scratch : new Float64Array(total);
    const data = new Map<number, Float64Array>();
    wanted.forEach((c, k) => {
      const span = all.subarray(k * n, (k + 1) * n);
      copyRingSpanSync(src, h, c, start, span);
      data.set(c, span);
    });
    const after = readRingHeaderSync(src, this.path, this.header);
    if (ringRestarted(h, after)) {
      // The writer restarted mid-read: nothing read is trustworthy; the next frame starts afresh.
      this.cursor = undefined;
      return this.frame(h, written, end, end, [], undefined, request, overrun, skipped, true, now);
    }
    // Samples the writer may have overwritten while we copied them.
    const intact = Math.min(end, alignUp(oldestIntact(after), bucket));
    const torn = Math.max(0, intact - start);
    if (!fresh) overrun += torn;
    const from = start + torn;
    this.cursor = end;
    const slice = (c: number) => data.get(c)!.subarray(torn);
    return this.frame(h, written, from, end, request.channels.map(slice), request.spectrumChannel === undefined ? undefined : slice(request.spectrumChannel), request, overrun, skipped, fresh, now);
  }

  private frame(h: RingHeader, written: number, start: number, end: number, waves: Float64Array[], spectrum: Float64Array | undefined, request: TapRequest, overrun: number, skipped: number, fresh: boolean, now: number): TapFrame {
    const n = (end - start) / request.bucket, lanes = request.channels.length;
    // One buffer under every array of the frame: VS Code sends a message's buffers once each,
    // and the view then makes one ArrayBuffer a frame, not two per lane (whose sweep made
    // garbage collection pauses of over 50 ms at 64 lanes).
    const all = new Float32Array(2 * lanes * n + (spectrum?.length ?? 0));
    const min = request.channels.map((_, k) => all.subarray(k * n, (k + 1) * n));
    const max = request.channels.map((_, k) => all.subarray((lanes + k) * n, (lanes + k + 1) * n));
    waves.forEach((d, k) => bucketExtremes(d, request.bucket, min[k], max[k]));
    let samples: Float32Array | undefined;
    if (spectrum) { samples = all.subarray(2 * lanes * n); samples.set(spectrum); }
    return {
      header: h, written, start, end, min, max, spectrum: samples,
      overrun, skipped, fresh, idleMs: now - this.lastMoveMs,
    };
  }
}

/**
 * Saves samples [start, end) of `channels` from the ring buffer at `ringPath` as a float WAV,
 * chunk by chunk. Fails, naming the samples, if the writer overwrites them before they are
 * saved; the caller writes to a temporary name so a failure leaves nothing half-written.
 */
export function captureRingSpan(ringPath: string, start: number, end: number, channels: number[], outPath: string): Promise<RingHeader> {
  return guard(ringPath, async () => {
    const src = await FileSource.open(ringPath);
    try {
      const h = await readRingHeaderFrom(src, ringPath);
      if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start < end)) throw new RangeError(`cannot save samples ${start}–${end}`);
      checkRingChannels(h, channels, ringPath);
      if (channels.length === 0) throw new ArtifactError('inconsistent', ringPath, 'no channels to save');
      if (end > h.writeSequence * h.samplesPerWrite) throw new ArtifactError('inconsistent', ringPath, `samples up to ${end} were asked for; the writer has written ${h.writeSequence * h.samplesPerWrite}`);
      await writeFloatWav(outPath, h.sampleRate, channels.length, end - start, async (from, n) => {
        const data = await Promise.all(channels.map((c) => copyRingSpan(src, h, c, start + from, n)));
        const after = await readRingHeaderFrom(src, ringPath);
        if (ringRestarted(h, after)) throw new ArtifactError('inconsistent', ringPath, 'the writer restarted while the samples were being saved');
        if (oldestIntact(after) > start + from) throw new ArtifactError('inconsistent', ringPath, `samples from ${start + from} were overwritten by the writer before they could be saved`);
        return data;
      });
      return h;
    } finally {
      await src.close();
    }
  });
}
