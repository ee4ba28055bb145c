// A live view's reader of a seed-003 ring buffer. Each call returns what the writer added
// since the previous call: min/max buckets of the waveform channels (aligned to multiples of
// the bucket size, so a bucket never changes once sent and the view can scroll by whole
// buckets) and the raw samples of the spectrogram channel. It tells samples the writer
// overwrote before they could be read (overrun) from samples skipped to keep one frame's
// work bounded, and notices restarts and a writer that went quiet.
import { ArtifactError, guard } from '../artifacts/errors';
import { checkRingChannels, copyRingSpan, oldestIntact, readRingHeaderFrom, ringRestarted, type RingHeader } from '../artifacts/ringBuffer';
import { FileSource, PolledFile, type ByteSource } from '../artifacts/source';
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
  private requestKey = '';
  private readonly file: PolledFile;
  /** Which file under the path the cursor belongs to (see PolledFile.generation). */
  private generation = 0;

  constructor(readonly path: string, private readonly clock: () => number = Date.now) {
    this.file = new PolledFile(path);
  }

  /** Kept open between frames, reopened when a restarted writer replaced the file (which starts the view afresh). */
  next(request: TapRequest): Promise<TapFrame> {
    return guard(this.path, () => {
      const src = this.file.current();
      if (src.generation !== this.generation) {
        if (this.generation !== 0) this.last = undefined;
        this.generation = src.generation;
        this.cursor = undefined;
      }
      return this.nextFrom(src, request);
    });
  }

  close(): void {
    void this.file.close();
  }

  async nextFrom(src: ByteSource, request: TapRequest): Promise<TapFrame> {
    const h = await readRingHeaderFrom(src, this.path);
    const { bucket, history } = request;
    if (!Array.isArray(request.channels)) throw new ArtifactError('inconsistent', this.path, `the channels asked for are not a list (${JSON.stringify(request.channels) ?? String(request.channels)})`);
    const wanted = [...new Set([...request.channels, ...(request.spectrumChannel === undefined ? [] : [request.spectrumChannel])])];
    const maxSamples = Math.max(bucket, Math.floor(request.maxFrameSamples / Math.max(1, wanted.length)));
    if (!Number.isSafeInteger(bucket) || bucket < 1) throw new RangeError(`bucket of ${bucket} samples`);
    if (!(history >= 0) || !(request.maxFrameSamples >= bucket)) throw new RangeError(`history ${history}, frame limit ${request.maxFrameSamples}`);
    checkRingChannels(h, wanted, this.path);

    const now = this.clock();
    const restarted = !!this.last && ringRestarted(this.last, h);
    if (!this.last || restarted || h.writeSequence !== this.last.writeSequence) this.lastMoveMs = now;
    const key = JSON.stringify([bucket, request.channels, request.spectrumChannel]);
    const fresh = !!request.reset || restarted || this.cursor === undefined || key !== this.requestKey;
    this.requestKey = key;
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

    const data = new Map<number, Float64Array>();
    for (const c of wanted) data.set(c, await copyRingSpan(src, h, c, start, end - start));
    const after = await readRingHeaderFrom(src, this.path);
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
