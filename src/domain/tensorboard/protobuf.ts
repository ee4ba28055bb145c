// The protobuf wire format, read-only: enough to walk TensorBoard's Event, Summary and
// TensorProto messages field by field without generated code.
import { ArtifactError } from '../artifacts/errors';

export type WireValue = { wire: 0; value: bigint } | { wire: 1; at: number } | { wire: 2; bytes: Uint8Array } | { wire: 5; at: number };

export class ProtoReader {
  private pos = 0;

  constructor(readonly bytes: Uint8Array, private readonly file: string) {}

  /** A varint that fits in 28 bits (keys, lengths) as a number; longer ones through BigInt. */
  private small(): number {
    const v = smallVarint(this.bytes, this.pos, this.bytes.length);
    if (v >= 0) { this.pos = varintEnd.at; return v; }
    // Cut short (varint() says so) or longer than 28 bits.
    return Number(this.varint());
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  private fail(why: string): never {
    throw new ArtifactError('inconsistent', this.file, `protobuf: ${why} at byte ${this.pos}`);
  }

  varint(): bigint {
    let v = 0n, shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) this.fail('varint runs past the end');
      const b = this.bytes[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** The next field: its number and value (fixed-width values as their offset into `bytes`). */
  field(): { no: number; v: WireValue } {
    const key = this.small();
    const no = key >>> 3, wire = key & 7;
    if (no === 0) this.fail('field number 0');
    switch (wire) {
      case 0: return { no, v: { wire: 0, value: this.varint() } };
      case 1: { const at = this.pos; this.pos += 8; if (this.pos > this.bytes.length) this.fail('fixed64 runs past the end'); return { no, v: { wire: 1, at } }; }
      case 2: {
        const len = this.small();
        if (len < 0 || this.pos + len > this.bytes.length) this.fail(`length ${len} runs past the end`);
        const bytes = this.bytes.subarray(this.pos, this.pos + len);
        this.pos += len;
        return { no, v: { wire: 2, bytes } };
      }
      case 5: { const at = this.pos; this.pos += 4; if (this.pos > this.bytes.length) this.fail('fixed32 runs past the end'); return { no, v: { wire: 5, at } }; }
      default: return this.fail(`wire type ${wire} (groups are not used by TensorBoard)`);
    }
  }

  // Fixed-width values go through one shared scratch buffer (a DataView per message cost more
  // than the decoding). Little-endian, as protobuf and every machine TensorBoard runs on.
  double(at: number): number { return f64At(this.bytes, at); }
  float(at: number): number { return f32At(this.bytes, at); }
}

/** int64 varint as a JS number (two's complement for negatives). */
export function int64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

const SCRATCH = new Uint8Array(8);
const F64 = new Float64Array(SCRATCH.buffer);
const F32 = new Float32Array(SCRATCH.buffer);

/** The little-endian double at `at` (read through one scratch buffer: no DataView per message). */
export function f64At(b: Uint8Array, at: number): number {
  for (let k = 0; k < 8; k++) SCRATCH[k] = b[at + k];
  return F64[0];
}

/** The little-endian float at `at`. */
export function f32At(b: Uint8Array, at: number): number {
  for (let k = 0; k < 4; k++) SCRATCH[k] = b[at + k];
  return F32[0];
}

/** Where the last smallVarint ended (a field, not a returned object: this runs per field). */
export const varintEnd = { at: 0 };

/** A varint of up to 4 bytes (28 bits) at `p`, before `end`, or −1 (cut short, or longer). */
export function smallVarint(b: Uint8Array, p: number, end: number): number {
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) return -1;
    const x = b[p++];
    v |= (x & 0x7f) << shift;
    if (!(x & 0x80)) { varintEnd.at = p; return v >>> 0; }
  }
  return -1;
}

const utf8 = new TextDecoder();
/** UTF-8 text; short ASCII (tags, plugin names: every record has them) without the decoder. */
export function text(b: Uint8Array): string {
  if (b.length > 64) return utf8.decode(b);
  let s = '';
  for (let i = 0; i < b.length; i++) {
    if (b[i] > 0x7f) return utf8.decode(b);
    s += String.fromCharCode(b[i]);
  }
  return s;
}
