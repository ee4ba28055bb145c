// .safetensors, validated as the reference implementation does: an 8-byte little-endian
// header length (at most 100 MB), a UTF-8 JSON object header with no duplicate keys,
// tensors whose byte ranges tile the data section exactly (no gap, no overlap, ending at
// the end of the file), known dtypes, and `__metadata__` mapping strings to strings.
// Tensors are read by byte range and converted to float32 for display.
import { lookupTable } from '../lookupTable';
import { ArtifactError } from './errors';
import { isJsonObject, parseStrictJson } from './strictJson';
import { withFile, type ByteSource } from './source';

export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element, of the dtypes whose values Run Reel converts. */
export const SAFETENSORS_DTYPES = lookupTable({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, F8_E4M3FNUZ: 1, F8_E5M2FNUZ: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8, C64: 8,
});
/**
 * Bits per element of the sub-byte dtypes the reference library reads (safetensors ≥ 0.6):
 * their tensors are listed and checked; their values are not converted.
 */
export const SUB_BYTE_DTYPES = lookupTable({ F4: 4, F6_E2M3: 6, F6_E3M2: 6 });
/** Integers only, as the reference's serde types (usize) demand: `[1.0]` and `1e3` are refused. */
const NUMBER_LIST = /"(shape|data_offsets)"\s*:\s*\[([^\]]*)\]/g;

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  headerBytes: number;
  metadata: Record<string, string>;
  /** In file order (sorted by offset). */
  tensors: SafetensorsTensor[];
}

export async function readSafetensorsHeaderFrom(src: ByteSource): Promise<SafetensorsHeader> {
  const file = src.name;
  if (src.size < 8) throw new ArtifactError('truncated', file, `safetensors: file has ${src.size} bytes, the header length alone is 8`);
  const lenBytes = await src.read(0, 8, 'safetensors header length');
  const n = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new ArtifactError('too_large', file, `safetensors header claims ${n} bytes (limit ${MAX_HEADER_BYTES})`);
  const headerBytes = Number(n);
  if (8 + headerBytes > src.size) throw new ArtifactError('truncated', file, `safetensors header says ${headerBytes} bytes, file has ${src.size - 8} after the length`);
  const raw = await src.read(8, headerBytes, 'safetensors header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw); // a BOM is kept, to be refused
  } catch {
    throw new ArtifactError('bad_header', file, 'safetensors header is not valid UTF-8');
  }
  // The reference's own test pads the header with leading spaces and accepts it (serde skips JSON
  // whitespace); a UTF-8 byte-order mark is not whitespace, and it refuses that.
  const body = text.replace(/^[ \t\n\r]+/, '');
  if (!body.startsWith('{')) throw new ArtifactError('bad_header', file, `safetensors header does not start with "{"${text.charCodeAt(0) === 0xfeff ? ' (it starts with a byte-order mark)' : ''}`);
  for (const m of body.matchAll(NUMBER_LIST)) {
    const bad = m[2].split(',').map((t) => t.trim()).find((t) => t !== '' && !/^\d+$/.test(t));
    if (bad !== undefined) throw new ArtifactError('bad_header', file, `safetensors header: ${m[1]} has ${bad}, not a non-negative integer`);
  }
  const json = parseStrictJson(body.trimEnd(), file, 'safetensors header');
  if (!isJsonObject(json)) throw new ArtifactError('bad_header', file, 'safetensors header is not a JSON object');

  const metadata: Record<string, string> = Object.create(null);
  const tensors: SafetensorsTensor[] = [];
  const dataStart = 8 + headerBytes;
  const dataLength = src.size - dataStart;
  for (const name of Object.keys(json)) {
    const info = json[name];
    if (name === '__metadata__') {
      if (info === null) continue; // the reference's Option<HashMap>: null is no metadata
      if (!isJsonObject(info)) throw new ArtifactError('bad_header', file, '__metadata__ is not an object');
      for (const k of Object.keys(info)) {
        const v = info[k];
        if (typeof v !== 'string') throw new ArtifactError('bad_header', file, `__metadata__[${JSON.stringify(k)}] is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const bad = (why: string): never => {
      throw new ArtifactError('bad_header', file, `tensor ${JSON.stringify(name)}: ${why}`);
    };
    if (!isJsonObject(info)) bad('entry is not an object');
    const entry = info as { [k: string]: unknown };
    const dtype = entry.dtype;
    if (typeof dtype !== 'string') return bad('no dtype');
    const size = SAFETENSORS_DTYPES[dtype];
    const bits = size !== undefined ? size * 8 : SUB_BYTE_DTYPES[dtype];
    if (bits === undefined) throw new ArtifactError('bad_header', file, `tensor ${JSON.stringify(name)}: dtype ${JSON.stringify(dtype)} is not a safetensors dtype`);
    if (!Array.isArray(entry.shape)) return bad('shape is not a list');
    const shape = (entry.shape as unknown[]).map((d) => (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 ? d : bad(`shape has ${JSON.stringify(d)}, not a non-negative safe integer`)));
    let count = 1;
    for (const d of shape) {
      count *= d;
      if (!Number.isSafeInteger(count)) throw new ArtifactError('too_large', file, `tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] overflows`);
    }
    const offs = entry.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2) return bad('data_offsets is not a [begin, end] pair');
    const [b, e] = offs as unknown[];
    if (typeof b !== 'number' || typeof e !== 'number' || !Number.isSafeInteger(b) || !Number.isSafeInteger(e) || b < 0 || e < b) return bad(`data_offsets ${JSON.stringify(offs)} are not valid`);
    if ((count * bits) % 8 !== 0) throw new ArtifactError('inconsistent', file, `tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] of ${dtype} is not a whole number of bytes`);
    if (e - b !== (count * bits) / 8) {
      throw new ArtifactError('inconsistent', file, `tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] ${dtype} needs ${(count * bits) / 8} bytes, data_offsets give ${e - b}`);
    }
    tensors.push({ name, dtype, shape, count, begin: dataStart + b, end: dataStart + e });
  }
  tensors.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let expected = dataStart;
  for (const t of tensors) {
    if (t.begin !== expected) {
      const kind = t.begin < expected ? 'overlaps the previous tensor' : `leaves a gap of ${t.begin - expected} bytes before it`;
      throw new ArtifactError('inconsistent', file, `tensor ${JSON.stringify(t.name)} ${kind}`);
    }
    expected = t.end;
  }
  const dataEnd = expected - dataStart;
  if (dataEnd > dataLength) throw new ArtifactError('truncated', file, `safetensors data should be ${dataEnd} bytes, file has ${dataLength}`);
  if (dataEnd < dataLength) throw new ArtifactError('inconsistent', file, `safetensors data ends at ${dataEnd} bytes but the file has ${dataLength - dataEnd} more`);
  return { file, headerBytes, metadata, tensors };
}

export function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  return withFile(path, readSafetensorsHeaderFrom);
}

// ---- conversion to float32 for display

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Lookup tables for the 8-bit float formats, built once. */
const F8 = {
  E4M3: Float32Array.from({ length: 256 }, (_, b) => {
    const s = b & 0x80 ? -1 : 1, e = (b >> 3) & 0xf, m = b & 7;
    if (e === 15 && m === 7) return NaN; // E4M3FN: no infinities, one NaN pattern per sign
    return e === 0 ? s * (m / 8) * 2 ** -6 : s * (1 + m / 8) * 2 ** (e - 7);
  }),
  E5M2: Float32Array.from({ length: 256 }, (_, b) => halfToFloat(b << 8)),
  E8M0: Float32Array.from({ length: 256 }, (_, b) => (b === 255 ? NaN : 2 ** (b - 127))),
  // FNUZ: no infinities, no negative zero; 0x80 is the one NaN; exponent bias one more.
  E4M3FNUZ: Float32Array.from({ length: 256 }, (_, b) => {
    if (b === 0x80) return NaN;
    const s = b & 0x80 ? -1 : 1, e = (b >> 3) & 0xf, m = b & 7;
    return e === 0 ? s * (m / 8) * 2 ** -7 : s * (1 + m / 8) * 2 ** (e - 8);
  }),
  E5M2FNUZ: Float32Array.from({ length: 256 }, (_, b) => {
    if (b === 0x80) return NaN;
    const s = b & 0x80 ? -1 : 1, e = (b >> 2) & 0x1f, m = b & 3;
    return e === 0 ? s * (m / 4) * 2 ** -15 : s * (1 + m / 4) * 2 ** (e - 16);
  }),
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let f16Table: Float32Array | undefined;

/**
 * The common float dtypes through typed-array views when the bytes are aligned on a
 * little-endian machine: several times faster than a DataView per element.
 */
function fastFloat32(dtype: string, bytes: Uint8Array, n: number): Float32Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const size = SAFETENSORS_DTYPES[dtype];
  if (bytes.byteOffset % size !== 0) return undefined;
  if (dtype === 'F32') return new Float32Array(bytes.buffer, bytes.byteOffset, n).slice();
  if (dtype !== 'BF16' && dtype !== 'F16') return undefined;
  const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = u16[i] << 16;
  } else {
    const table = (f16Table ??= Float32Array.from({ length: 65536 }, (_, h) => halfToFloat(h)));
    for (let i = 0; i < n; i++) out[i] = table[u16[i]];
  }
  return out;
}

/** Converts raw little-endian tensor bytes of `dtype` to float32 values. */
export function toFloat32(dtype: string, bytes: Uint8Array): Float32Array {
  const n = bytes.length / (SAFETENSORS_DTYPES[dtype] ?? 1);
  const fast = fastFloat32(dtype, bytes, n);
  if (fast) return fast;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32': for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true); break;
    case 'F64': for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true); break;
    case 'F16': for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true)); break;
    case 'BF16': for (let i = 0; i < n; i++) { u32[0] = dv.getUint16(i * 2, true) << 16; out[i] = f32[0]; } break;
    case 'F8_E4M3': for (let i = 0; i < n; i++) out[i] = F8.E4M3[bytes[i]]; break;
    case 'F8_E5M2': for (let i = 0; i < n; i++) out[i] = F8.E5M2[bytes[i]]; break;
    case 'F8_E8M0': for (let i = 0; i < n; i++) out[i] = F8.E8M0[bytes[i]]; break;
    case 'F8_E4M3FNUZ': for (let i = 0; i < n; i++) out[i] = F8.E4M3FNUZ[bytes[i]]; break;
    case 'F8_E5M2FNUZ': for (let i = 0; i < n; i++) out[i] = F8.E5M2FNUZ[bytes[i]]; break;
    // A complex value is shown as its magnitude.
    case 'C64': for (let i = 0; i < n; i++) out[i] = Math.hypot(dv.getFloat32(i * 8, true), dv.getFloat32(i * 8 + 4, true)); break;
    case 'BOOL': for (let i = 0; i < n; i++) out[i] = bytes[i] ? 1 : 0; break;
    case 'U8': for (let i = 0; i < n; i++) out[i] = bytes[i]; break;
    case 'I8': for (let i = 0; i < n; i++) out[i] = dv.getInt8(i); break;
    case 'I16': for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true); break;
    case 'U16': for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true); break;
    case 'I32': for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true); break;
    case 'U32': for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true); break;
    case 'I64': for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true)); break;
    case 'U64': for (let i = 0; i < n; i++) out[i] = Number(dv.getBigUint64(i * 8, true)); break;
    default: throw new Error(`no conversion for ${dtype}`);
  }
  return out;
}

/**
 * Elements [start, start+count) of a tensor (flat, C order) as float32, read by byte range:
 * the rest of the file is never touched.
 */
export async function readTensorFloat32(src: ByteSource, tensor: SafetensorsTensor, start = 0, count = tensor.count): Promise<Float32Array> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0 || start + count > tensor.count) {
    throw new ArtifactError('inconsistent', src.name, `tensor ${JSON.stringify(tensor.name)}: elements ${start}+${count} are outside its ${tensor.count}`);
  }
  const size = SAFETENSORS_DTYPES[tensor.dtype];
  if (size === undefined) throw new ArtifactError('unsupported', src.name, `tensor ${JSON.stringify(tensor.name)}: values of ${tensor.dtype} (${SUB_BYTE_DTYPES[tensor.dtype] ?? '?'} bits per element) are not converted; its place in the file is checked`);
  const bytes = await src.read(tensor.begin + start * size, count * size, `tensor ${tensor.name}`);
  return toFloat32(tensor.dtype, bytes);
}
