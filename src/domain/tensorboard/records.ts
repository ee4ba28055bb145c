// TFRecord framing of TensorBoard event files: each record is a little-endian u64 length, the
// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data
// (tensorflow/core/lib/io/record_reader.cc). Read incrementally: a record cut at the end of the
// file is "still being written" and is read again from its start once the file grows.
import { ArtifactError } from '../artifacts/errors';
import type { ByteSource } from '../artifacts/source';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Records over this are refused as corrupt (TensorBoard's own events are kilobytes). */
export const MAX_RECORD_BYTES = 256 << 20;

export interface RecordBatch {
  /** Record bodies in file order. */
  records: Uint8Array[];
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

  async read(src: ByteSource, maxBytes = 64 << 20): Promise<RecordBatch> {
    const records: Uint8Array[] = [];
    let skipped = 0;
    let partial = false;
    let budget = maxBytes;
    while (budget > 0) {
      if (this.offset === src.size) break;
      if (this.offset + 12 > src.size) { partial = true; break; }
      const head = await src.read(this.offset, 12, 'record header');
      const dv = new DataView(head.buffer, head.byteOffset, 12);
      const lenBig = dv.getBigUint64(0, true);
      if (maskedCrc(head.subarray(0, 8)) !== dv.getUint32(8, true)) {
        throw new ArtifactError('inconsistent', this.file, `record at byte ${this.offset}: its length fails its CRC (the file is damaged from here on)`);
      }
      if (lenBig > BigInt(MAX_RECORD_BYTES)) throw new ArtifactError('too_large', this.file, `record at byte ${this.offset} claims ${lenBig} bytes (limit ${MAX_RECORD_BYTES})`);
      const len = Number(lenBig);
      if (this.offset + 12 + len + 4 > src.size) { partial = true; break; }
      const rest = await src.read(this.offset + 12, len + 4, 'record');
      const data = rest.subarray(0, len);
      const crc = new DataView(rest.buffer, rest.byteOffset + len, 4).getUint32(0, true);
      if (maskedCrc(data) === crc) records.push(data);
      else skipped++;
      this.offset += 12 + len + 4;
      budget -= 16 + len;
    }
    this.skipped += skipped;
    return { records, skipped, partial };
  }
}
