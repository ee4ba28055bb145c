// TFRecord framing of TensorBoard event files: each record is a little-endian u64 length, the
// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data
// (tensorflow/core/lib/io/record_reader.cc). Read incrementally: a record cut at the end of the
// file is "still being written" and is read again from its start once the file grows.
import { ArtifactError } from '../artifacts/errors';
import type { ByteSource } from '../artifacts/source';

// Slicing-by-8 tables: eight bytes per step instead of one.
const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) for (let k = 1; k < 8; k++) t[k * 256 + i] = (t[(k - 1) * 256 + i] >>> 8) ^ t[t[(k - 1) * 256 + i] & 0xff];
  return t;
})();

export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLES;
  let c = 0xffffffff, i = start;
  const n8 = end - 8;
  for (; i <= n8; i += 8) {
    const a = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)]
      ^ t[768 + bytes[i + 4]] ^ t[512 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return mask(crc32c(bytes, start, end));
}

const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** Records up to this long are checked by their difference from the last one of their length. */
const MAX_DELTA = 256;
let distances: Uint32Array | undefined;
/**
 * distances[k * 256 + v]: what byte value v contributes to a zero-initialised CRC when k
 * bytes follow it (the byte table, then k zero-byte steps).
 */
function distanceTable(): Uint32Array {
  if (distances) return distances;
  const d = new Uint32Array(MAX_DELTA * 256);
  d.set(TABLES.subarray(0, 256));
  for (let k = 1; k < MAX_DELTA; k++) {
    for (let v = 0; v < 256; v++) { const c = d[(k - 1) * 256 + v]; d[k * 256 + v] = TABLES[c & 0xff] ^ (c >>> 8); }
  }
  return (distances = d);
}

/**
 * CRC-32C of the records of one chunk. CRC is linear: for two messages of one length,
 * crc(a) = crc(b) ^ crc0(a ^ b), and a scalar record differs from the last record of its
 * length in a few bytes (step, wall time, value, a tag's digit). So the CRC of such a record
 * costs a lookup per differing 4-byte word instead of one per byte. The result is the exact
 * CRC of the record's bytes either way: nothing is taken on trust.
 */
export class ChunkCrc {
  private readonly lastAt = new Int32Array(MAX_DELTA + 1);
  private readonly lastCrc = new Int32Array(MAX_DELTA + 1);
  private readonly table = distanceTable();
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);

  /** Starts a new chunk: records are compared only within one. */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.lastAt.fill(-1);
  }

  /** TFRecord's masked CRC of buf[start, end) of the chunk given to reset(). */
  masked(start: number, end: number): number {
    const len = end - start;
    if (len > MAX_DELTA || len < 4) return maskedCrc(this.buf, start, end);
    const prev = this.lastAt[len];
    let c: number;
    if (prev < 0) c = crc32c(this.buf, start, end) | 0;
    else {
      const v = this.view, d = this.table, b = this.buf;
      c = this.lastCrc[len];
      let i = 0;
      for (; i + 4 <= len; i += 4) {
        const x = v.getUint32(start + i, true) ^ v.getUint32(prev + i, true);
        if (x !== 0) {
          const k = (len - 1 - i) << 8;
          c ^= d[k | (x & 0xff)] ^ d[(k - 256) | ((x >>> 8) & 0xff)] ^ d[(k - 512) | ((x >>> 16) & 0xff)] ^ d[(k - 768) | (x >>> 24)];
        }
      }
      for (; i < len; i++) { const x = b[start + i] ^ b[prev + i]; if (x !== 0) c ^= d[((len - 1 - i) << 8) | x]; }
    }
    this.lastAt[len] = start;
    this.lastCrc[len] = c;
    return mask(c >>> 0);
  }
}

/** Records over this are refused as corrupt (TensorBoard's own events are kilobytes). */
export const MAX_RECORD_BYTES = 256 << 20;
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/** Bytes read from the file at a time. */
const CHUNK = 4 << 20;

export interface RecordBatch {
  /** Record bodies in file order. */
  records: Uint8Array[];
  /** Where each record's body starts in the file. */
  offsets: number[];
  /** Records whose data CRC failed: skipped, counted. */
  skipped: number;
  /** The file ends inside a record: still being written (read again from `offset` later). */
  partial: boolean;
}

/** Reads records from `offset` on; call again when the file grows. */
export class RecordReader {
  offset = 0;
  skipped = 0;
  private readonly crc = new ChunkCrc();

  constructor(readonly file: string) {}

  /** Reads whole records from `offset` (up to about `maxBytes` of them), as views into the file's chunks. */
  async read(src: ByteSource, maxBytes = 64 << 20): Promise<RecordBatch> {
    const records: Uint8Array[] = [];
    const offsets: number[] = [];
    const r = await this.scan(src, maxBytes, (buf, start, end, at) => { records.push(buf.subarray(start, end)); offsets.push(at); });
    return { records, offsets, skipped: r.skipped, partial: r.partial };
  }

  /**
   * Calls `onRecord` with each whole record from `offset` on (up to about `maxBytes`): its
   * body is buf[start, end) and starts at `fileOffset` in the file. The file is read in
   * chunks of CHUNK bytes and records are cut from memory, with no object made per record
   * (one read per record cost a system call each; a view per record, most of the garbage).
   */
  async scan(src: ByteSource, maxBytes: number, onRecord: (buf: Uint8Array, start: number, end: number, fileOffset: number) => void): Promise<{ records: number; skipped: number; partial: boolean }> {
    let records = 0, skipped = 0;
    let partial = false;
    let budget = maxBytes;
    const size = src.size;
    const crc = this.crc;
    let lastLength = -1, lastLengthCrc = 0;
    while (budget > 0 && this.offset < size && !partial) {
      const base = this.offset;
      const buf = await src.read(base, Math.min(size - base, CHUNK), 'records');
      crc.reset(buf);
      let at = 0;
      while (budget > 0) {
        if (base + at === size) break;
        if (at + 12 > buf.length) { partial = base + at + 12 > size; break; }
        // Most records have the length of one before them: its header's CRC is known.
        const lengthCrc = u32(buf, at) === lastLength && u32(buf, at + 4) === 0 ? lastLengthCrc : maskedCrc(buf, at, at + 8);
        if (lengthCrc !== u32(buf, at + 8)) {
          throw new ArtifactError('inconsistent', this.file, `record at byte ${base + at}: its length fails its CRC (the file is damaged from here on)`);
        }
        const lo = u32(buf, at), hi = u32(buf, at + 4);
        if (hi !== 0 || lo > MAX_RECORD_BYTES) throw new ArtifactError('too_large', this.file, `record at byte ${base + at} claims ${hi * 2 ** 32 + lo} bytes (limit ${MAX_RECORD_BYTES})`);
        const len = lo;
        lastLength = lo;
        lastLengthCrc = lengthCrc;
        if (base + at + 16 + len > size) { partial = true; break; }
        if (at + 16 + len <= buf.length) {
          if (crc.masked(at + 12, at + 12 + len) === u32(buf, at + 12 + len)) { records++; onRecord(buf, at + 12, at + 12 + len, base + at + 12); }
          else skipped++;
        } else if (at === 0) {
          // A record larger than a chunk: read on its own.
          const rest = await src.read(base + 12, len + 4, 'record');
          if (maskedCrc(rest, 0, len) === u32(rest, len)) { records++; onRecord(rest, 0, len, base + 12); }
          else skipped++;
        } else break; // it runs past this chunk: the next chunk starts with it
        at += 16 + len;
        this.offset = base + at;
        budget -= 16 + len;
      }
    }
    this.skipped += skipped;
    return { records, skipped, partial };
  }
}
