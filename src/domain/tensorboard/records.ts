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
  const c = crc32c(bytes, start, end);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
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
    while (budget > 0 && this.offset < size && !partial) {
      const base = this.offset;
      const buf = await src.read(base, Math.min(size - base, CHUNK), 'records');
      let at = 0;
      while (budget > 0) {
        if (base + at === size) break;
        if (at + 12 > buf.length) { partial = base + at + 12 > size; break; }
        if (maskedCrc(buf, at, at + 8) !== u32(buf, at + 8)) {
          throw new ArtifactError('inconsistent', this.file, `record at byte ${base + at}: its length fails its CRC (the file is damaged from here on)`);
        }
        const lo = u32(buf, at), hi = u32(buf, at + 4);
        if (hi !== 0 || lo > MAX_RECORD_BYTES) throw new ArtifactError('too_large', this.file, `record at byte ${base + at} claims ${hi * 2 ** 32 + lo} bytes (limit ${MAX_RECORD_BYTES})`);
        const len = lo;
        if (base + at + 16 + len > size) { partial = true; break; }
        if (at + 16 + len <= buf.length) {
          if (maskedCrc(buf, at + 12, at + 12 + len) === u32(buf, at + 12 + len)) { records++; onRecord(buf, at + 12, at + 12 + len, base + at + 12); }
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
