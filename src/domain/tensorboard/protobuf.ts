// The protobuf wire format, read-only: enough to walk TensorBoard's Event, Summary and
// TensorProto messages field by field without generated code.
import { ArtifactError } from '../artifacts/errors';

export type WireValue = { wire: 0; value: bigint } | { wire: 1; at: number } | { wire: 2; bytes: Uint8Array } | { wire: 5; at: number };

export class ProtoReader {
  private pos = 0;
  private readonly dv: DataView;

  constructor(readonly bytes: Uint8Array, private readonly file: string) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
    const key = Number(this.varint());
    const no = key >>> 3, wire = key & 7;
    if (no === 0) this.fail('field number 0');
    switch (wire) {
      case 0: return { no, v: { wire: 0, value: this.varint() } };
      case 1: { const at = this.pos; this.pos += 8; if (this.pos > this.bytes.length) this.fail('fixed64 runs past the end'); return { no, v: { wire: 1, at } }; }
      case 2: {
        const len = Number(this.varint());
        if (len < 0 || this.pos + len > this.bytes.length) this.fail(`length ${len} runs past the end`);
        const bytes = this.bytes.subarray(this.pos, this.pos + len);
        this.pos += len;
        return { no, v: { wire: 2, bytes } };
      }
      case 5: { const at = this.pos; this.pos += 4; if (this.pos > this.bytes.length) this.fail('fixed32 runs past the end'); return { no, v: { wire: 5, at } }; }
      default: return this.fail(`wire type ${wire} (groups are not used by TensorBoard)`);
    }
  }

  double(at: number): number { return this.dv.getFloat64(at, true); }
  float(at: number): number { return this.dv.getFloat32(at, true); }
}

/** int64 varint as a JS number (two's complement for negatives). */
export function int64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

const utf8 = new TextDecoder();
export const text = (b: Uint8Array) => utf8.decode(b);
