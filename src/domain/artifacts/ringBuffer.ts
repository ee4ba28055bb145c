// The audio ring buffer of seed 003: a 4096-byte header (magic "AUDITAB!", version,
// sample rate, channels, capacity, write sequence, samples per write) and planar f64
// channels. Another process writes while we read, so a read takes the sequence, copies,
// and takes the sequence again; samples the writer may have overwritten meanwhile are
// retried or dropped, never shown torn. Overruns (samples that came and went between two
// reads) are counted, and the reader resynchronises when the writer restarts.
import { ArtifactError, guard } from './errors';
import { FileSource, readFully, withFile, type ByteSource, type SyncByteSource } from './source';
import { AUDIOTAB_WRITE_STRIDE } from '../producers/audiotab';

export const RING_HEADER_BYTES = 4096;
export const RING_MAGIC = 'AUDITAB!';

export interface RingHeader {
  version: number;
  sampleRate: number;
  channels: number;
  capacity: number;
  writeSequence: number;
  /** Samples each sequence step stands for: the header's value, or audiotab's fixed stride when it is 0. */
  samplesPerWrite: number;
  /** False when the header left samples-per-write at 0 and the writer's stride was assumed. */
  samplesPerWriteInHeader: boolean;
}

export function parseRingHeader(bytes: Uint8Array, fileSize: number, file: string): RingHeader {
  if (fileSize < RING_HEADER_BYTES || bytes.length < 56) throw new ArtifactError('truncated', file, `ring buffer header needs ${RING_HEADER_BYTES} bytes, file has ${fileSize}`);
  for (let i = 0; i < 8; i++) if (bytes[i] !== RING_MAGIC.charCodeAt(i)) throw new ArtifactError('bad_magic', file, 'not an audio ring buffer (no AUDITAB! magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Two 32-bit halves, not a BigInt: the live view parses a header twice a frame.
  const field = (at: number, name: string) => {
    const lo = dv.getUint32(at, true), hi = dv.getUint32(at + 4, true);
    if (hi > 0x1fffff) throw new ArtifactError('bad_header', file, `ring buffer ${name} ${(BigInt(hi) << BigInt(32)) | BigInt(lo)} is out of range`);
    return hi * 2 ** 32 + lo;
  };
  const h: RingHeader = {
    version: field(8, 'version'), sampleRate: field(16, 'sample rate'), channels: field(24, 'channel count'),
    capacity: field(32, 'capacity'), writeSequence: field(40, 'write sequence'), samplesPerWrite: field(48, 'samples per write'),
    samplesPerWriteInHeader: true,
  };
  if (h.samplesPerWrite === 0) Object.assign(h, { samplesPerWrite: AUDIOTAB_WRITE_STRIDE, samplesPerWriteInHeader: false });
  if (h.version !== 1) throw new ArtifactError('unsupported', file, `ring buffer version ${h.version} (version 1 is supported)`);
  if (h.sampleRate < 1 || h.sampleRate > 10_000_000) throw new ArtifactError('bad_header', file, `ring buffer sample rate ${h.sampleRate} is out of range`);
  if (h.channels < 1 || h.channels > 1024) throw new ArtifactError('bad_header', file, `ring buffer has ${h.channels} channels (1–1024 allowed)`);
  if (h.capacity < 1) throw new ArtifactError('bad_header', file, 'ring buffer capacity is 0');
  if (h.samplesPerWrite > h.capacity) throw new ArtifactError('bad_header', file, `ring buffer writes ${h.samplesPerWrite} samples at a time${h.samplesPerWriteInHeader ? '' : ' (audiotab\'s fixed stride; the header leaves it 0)'} into a capacity of ${h.capacity}`);
  const need = RING_HEADER_BYTES + h.channels * h.capacity * 8;
  if (!Number.isSafeInteger(need)) throw new ArtifactError('too_large', file, 'ring buffer geometry overflows');
  if (fileSize < need) throw new ArtifactError('truncated', file, `ring buffer of ${h.channels}×${h.capacity} samples needs ${need} bytes, file has ${fileSize}`);
  return h;
}

export interface RingRead {
  header: RingHeader;
  /** Newest samples, oldest first, one array per requested channel. */
  data: Float64Array[];
  channels: number[];
  /** Index of the first returned sample in the writer's stream (total samples written before it). */
  firstSample: number;
  /** Samples written since the previous read that were overwritten before they could be read. */
  overrunSamples: number;
  /** True when the writer restarted or changed geometry since the previous read. */
  resynced: boolean;
  /** True when nothing new was written since the previous read. */
  stalled: boolean;
  /** Oldest samples dropped from this read because the writer was overwriting them. */
  tornSamples: number;
}

export class RingBufferReader {
  private last: RingHeader | undefined;

  constructor(readonly path: string) {}

  /**
   * The newest `samples` of each channel in `channels` (default: all). At most
   * capacity − samples_per_write come back: the writer may be rewriting the oldest block
   * of the ring at any moment, so those positions are never safe to show.
   */
  async read(samples: number, channels?: number[]): Promise<RingRead> {
    // Opened per read: a writer that restarts replaces the file, and a kept handle would go stale.
    return guard(this.path, async () => {
      const src = await FileSource.open(this.path);
      try {
        return await this.readFrom(src, samples, channels);
      } finally {
        await src.close();
      }
    });
  }

  async readFrom(src: ByteSource, samples: number, channels?: number[], maxAttempts = 3): Promise<RingRead> {
    let h = await readRingHeaderFrom(src, this.path);
    const resynced = !!this.last && ringRestarted(this.last, h);
    const chans = channels ?? Array.from({ length: h.channels }, (_, i) => i);
    checkRingChannels(h, chans, this.path);
    const previousWritten = this.last && !resynced ? this.last.writeSequence * this.last.samplesPerWrite : undefined;

    for (let attempt = 0; ; attempt++) {
      const written = h.writeSequence * h.samplesPerWrite;
      let n = Math.max(0, Math.min(Math.floor(samples), h.capacity - h.samplesPerWrite, written));
      const data = await Promise.all(chans.map((c) => this.copyNewest(src, h, c, written, n)));
      const after = await readRingHeaderFrom(src, this.path);
      if (ringRestarted(h, after)) {
        if (attempt + 1 >= maxAttempts) throw new ArtifactError('inconsistent', this.path, 'ring buffer changed shape while being read');
        h = after;
        continue;
      }
      // Blocks the writer completed since `h`, plus the one it may be filling now, may have
      // replaced the oldest samples we copied.
      const unsafe = (after.writeSequence - h.writeSequence + 1) * h.samplesPerWrite;
      const torn = Math.max(0, n + unsafe - h.capacity);
      if (torn > 0 && attempt + 1 < maxAttempts) {
        h = after;
        continue;
      }
      n -= torn;
      const trimmed = data.map((d) => d.subarray(torn));
      const overrunSamples = previousWritten === undefined ? 0 : Math.max(0, written - previousWritten - h.capacity);
      this.last = h;
      return {
        header: h, data: trimmed, channels: chans, firstSample: written - n, overrunSamples, resynced,
        stalled: previousWritten !== undefined && written === previousWritten, tornSamples: torn,
      };
    }
  }

  private copyNewest(src: ByteSource, h: RingHeader, channel: number, written: number, n: number): Promise<Float64Array> {
    return copyRingSpan(src, h, channel, written - n, n);
  }
}

/**
 * Samples [start, start + n) of the writer's stream for one channel, copied out of the ring
 * (two reads where the span wraps). Callers check afterwards that the writer has not
 * overwritten them meanwhile: see `oldestIntact`.
 */
export async function copyRingSpan(src: ByteSource, h: RingHeader, channel: number, start: number, n: number): Promise<Float64Array> {
  const out = new Float64Array(n);
  // Straight into the samples' bytes.
  for (const [offset, bytes] of ringSpanParts(h, channel, start, out)) await readFully(src, bytes, offset, `ring buffer channel ${channel}`);
  return out;
}

/** copyRingSpan with blocking reads, into `out` (its length is the span's): the live view reads every lane 60 times a second. */
export function copyRingSpanSync(src: SyncByteSource, h: RingHeader, channel: number, start: number, out: Float64Array): void {
  for (const [offset, bytes] of ringSpanParts(h, channel, start, out)) src.readSync(bytes, offset, `ring buffer channel ${channel}`);
}

/** Where in the file samples [start, start + out.length) of `channel` lie, with the bytes of `out` each part fills. */
function ringSpanParts(h: RingHeader, channel: number, start: number, out: Float64Array): [number, Uint8Array][] {
  const n = out.length;
  if (n === 0) return [];
  const base = RING_HEADER_BYTES + channel * h.capacity * 8;
  const at = start % h.capacity;
  const first = Math.min(n, h.capacity - at);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, n * 8);
  const parts: [number, Uint8Array][] = [[base + at * 8, bytes.subarray(0, first * 8)]];
  if (first < n) parts.push([base, bytes.subarray(first * 8)]);
  return parts;
}

/**
 * The first sample still intact once the header reads `after`: the block the writer may be
 * filling now overwrites the ring positions of the samples one capacity before it.
 */
export function oldestIntact(after: RingHeader): number {
  return Math.max(0, after.writeSequence * after.samplesPerWrite + after.samplesPerWrite - after.capacity);
}

function sameRingGeometry(a: RingHeader, b: RingHeader): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels && a.capacity === b.capacity && a.samplesPerWrite === b.samplesPerWrite;
}

/** Between reading `before` and `after` the writer restarted: its sequence went back, or the buffer changed shape. */
export function ringRestarted(before: RingHeader, after: RingHeader): boolean {
  return !sameRingGeometry(before, after) || after.writeSequence < before.writeSequence;
}

/** Throws, naming the channel, unless every one of `channels` exists in the buffer. */
export function checkRingChannels(h: RingHeader, channels: readonly number[], file: string): void {
  // Asked for by a page: a list of channel numbers, each once.
  if (!Array.isArray(channels)) throw new ArtifactError('inconsistent', file, `the channels asked for are not a list (${JSON.stringify(channels) ?? String(channels)})`);
  if (new Set(channels).size !== channels.length) throw new ArtifactError('inconsistent', file, `a channel is asked for twice (${channels.join(', ')})`);
  for (const c of channels) if (!Number.isInteger(c) || c < 0 || c >= h.channels) throw new ArtifactError('inconsistent', file, `channel ${c} does not exist (the buffer has ${h.channels})`);
}

export async function readRingHeaderFrom(src: ByteSource, file = src.name): Promise<RingHeader> {
  return parseRingHeader(await src.read(0, Math.min(64, src.size), 'ring buffer header'), src.size, file);
}

/** readRingHeaderFrom with a blocking read into `scratch` (64 bytes, reused). */
export function readRingHeaderSync(src: SyncByteSource, file: string, scratch: Uint8Array): RingHeader {
  const bytes = scratch.subarray(0, Math.min(64, src.size));
  src.readSync(bytes, 0, 'ring buffer header');
  return parseRingHeader(bytes, src.size, file);
}

export function readRingHeader(path: string): Promise<RingHeader> {
  return withFile(path, (src) => readRingHeaderFrom(src, path));
}
