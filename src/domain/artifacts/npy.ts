// NumPy .npy: versions 1.0, 2.0 and 3.0; bool, int8–64, uint8–64, float16/32/64, complex64/128,
// fixed-width unicode (<U) and bytes (S), either byte order, Fortran order, 0-d arrays, and
// object arrays (a restricted pickle; see pickle.ts). Sizes are checked before any allocation.
import { ArtifactError } from './errors';
import { unpickleObjectArray, type PickleScalar } from './pickle';
import { withFile, type ByteSource } from './source';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER_BYTES = 1 << 16;

export interface NpyDType {
  /** The descr string as written, e.g. '<f4', '|b1', '<U12', '|O'. */
  descr: string;
  kind: 'b' | 'i' | 'u' | 'f' | 'c' | 'U' | 'S' | 'O';
  itemsize: number;
  bigEndian: boolean;
}

export interface NpyHeader {
  version: string;
  dtype: NpyDType;
  fortranOrder: boolean;
  shape: number[];
  /** Number of elements (product of the shape; 1 for a 0-d array). */
  count: number;
  /** Byte offset of the data from the start of the .npy. */
  dataOffset: number;
}

export type NpyValues =
  | { kind: 'number'; values: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array }
  | { kind: 'bigint'; values: BigInt64Array | BigUint64Array }
  | { kind: 'bool'; values: Uint8Array }
  | { kind: 'complex'; values: Float32Array | Float64Array } // interleaved re, im
  | { kind: 'string'; values: string[] }
  | { kind: 'bytes'; values: Uint8Array[] }
  | { kind: 'object'; values: PickleScalar[] };

export interface NpyArray extends NpyHeader {
  /** Elements in C (row-major) order, whatever the file's order. float16 comes as Float32Array. */
  data: NpyValues;
}

export interface NpyLimits {
  /** Refuse arrays whose data is larger than this many bytes (default 2 GiB). */
  maxBytes?: number;
}

export function parseDType(descr: string, file: string): NpyDType {
  const m = /^([<>|=])?([biufcUSO])(\d*)$/.exec(descr);
  if (!m) throw new ArtifactError('unsupported', file, `dtype ${JSON.stringify(descr)} is not supported (structured, datetime and void dtypes are not)`);
  const [, order = '=', kind, sizeText] = m;
  const n = sizeText === '' ? (kind === 'O' ? 8 : NaN) : Number(sizeText);
  const sizes: Record<string, number[]> = { b: [1], i: [1, 2, 4, 8], u: [1, 2, 4, 8], f: [2, 4, 8], c: [8, 16], O: [8] };
  let itemsize: number;
  if (kind === 'U') itemsize = n * 4;
  else if (kind === 'S') itemsize = n;
  else if (sizes[kind].includes(n)) itemsize = n;
  else throw new ArtifactError('unsupported', file, `dtype ${descr} is not supported (${kind}${n})`);
  if (!Number.isSafeInteger(itemsize) || itemsize < 0 || itemsize > 1 << 24) throw new ArtifactError('bad_header', file, `dtype ${descr} has an invalid item size`);
  return { descr, kind: kind as NpyDType['kind'], itemsize, bigEndian: order === '>' };
}

/** Parses the Python dict literal of an npy header: string keys; str, bool, tuple-of-int values. */
function parseHeaderDict(text: string, file: string): Record<string, unknown> {
  let i = 0;
  const bad = (why: string): never => {
    throw new ArtifactError('bad_header', file, `npy header ${why}: ${JSON.stringify(text.slice(0, 120))}`);
  };
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const str = (): string => {
    const q = text[i];
    const end = text.indexOf(q, i + 1);
    if (end < 0) bad('has an unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (depth: number): unknown => {
    if (depth > 8) bad('nests too deeply');
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (text.startsWith('True', i)) { i += 4; return true; }
    if (text.startsWith('False', i)) { i += 5; return false; }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: unknown[] = [];
      for (;;) {
        ws();
        if (text[i] === close) { i++; break; }
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) bad('has a malformed tuple');
      }
      return c === '[' ? { list: items } : items;
    }
    const m = /^-?\d+L?/.exec(text.slice(i, i + 40));
    if (m) { i += m[0].length; return Number(m[0].replace('L', '')); }
    return bad(`has an unexpected value at ${i}`);
  };
  ws();
  if (text[i] !== '{') bad('is not a dict');
  i++;
  const out: Record<string, unknown> = Object.create(null);
  for (;;) {
    ws();
    if (text[i] === '}') break;
    if (text[i] !== "'" && text[i] !== '"') bad('has a non-string key');
    const key = str();
    ws();
    if (text[i] !== ':') bad('is missing a colon');
    i++;
    out[key] = value(0);
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad('is missing a comma');
  }
  return out;
}

/** Parses magic, version and header dict. `prefix` must hold at least the whole header. */
export function parseNpyHeader(prefix: Uint8Array, file: string): NpyHeader {
  if (prefix.length < 10) throw new ArtifactError('truncated', file, `npy header: file has ${prefix.length} bytes, the preamble alone is 10`);
  for (let k = 0; k < 6; k++) if (prefix[k] !== NPY_MAGIC[k]) throw new ArtifactError('bad_magic', file, 'not an .npy file (no \\x93NUMPY magic)');
  const major = prefix[6], minor = prefix[7];
  // numpy's read_magic/_check_version accepts exactly (1,0), (2,0) and (3,0): 1.1 and 2.2 are refused too.
  if (![1, 2, 3].includes(major) || minor !== 0) throw new ArtifactError('unsupported', file, `npy format version ${major}.${minor} is not supported (numpy reads 1.0, 2.0 and 3.0)`);
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  let headerLen: number, start: number;
  if (major === 1) { headerLen = dv.getUint16(8, true); start = 10; }
  else {
    if (prefix.length < 12) throw new ArtifactError('truncated', file, 'npy header length field is cut off');
    headerLen = dv.getUint32(8, true); start = 12;
  }
  if (headerLen > MAX_HEADER_BYTES) throw new ArtifactError('too_large', file, `npy header claims ${headerLen} bytes (limit ${MAX_HEADER_BYTES})`);
  if (prefix.length < start + headerLen) throw new ArtifactError('truncated', file, `npy header says ${headerLen} bytes, only ${prefix.length - start} present`);
  const raw = prefix.subarray(start, start + headerLen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
  } catch {
    throw new ArtifactError('bad_header', file, 'npy header is not valid UTF-8');
  }
  const dict = parseHeaderDict(text, file);
  // numpy's _read_array_header: exactly the keys descr, fortran_order and shape.
  const keys = Object.keys(dict).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') throw new ArtifactError('bad_header', file, `npy header keys are ${JSON.stringify(keys)}, numpy wants exactly descr, fortran_order and shape`);
  if (typeof dict.descr !== 'string') {
    throw new ArtifactError('unsupported', file, dict.descr === undefined ? "npy header has no 'descr'" : 'structured dtypes are not supported');
  }
  const dtype = parseDType(dict.descr, file);
  if (typeof dict.fortran_order !== 'boolean') throw new ArtifactError('bad_header', file, "npy header 'fortran_order' is not True/False");
  if (!Array.isArray(dict.shape)) throw new ArtifactError('bad_header', file, "npy header 'shape' is not a tuple");
  const shape = dict.shape as unknown[];
  let count = 1;
  for (const d of shape) {
    if (typeof d === 'number' && Number.isInteger(d) && d > Number.MAX_SAFE_INTEGER) throw new ArtifactError('too_large', file, `npy shape has a dimension of ${d}, more elements than can be addressed`);
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new ArtifactError('bad_header', file, `npy shape has an invalid dimension ${String(d)}`);
    count *= d;
    if (!Number.isSafeInteger(count)) throw new ArtifactError('too_large', file, `npy shape (${shape.join(', ')}) has more elements than can be addressed`);
  }
  return { version: `${major}.${minor}`, dtype, fortranOrder: dict.fortran_order, shape: shape as number[], count, dataOffset: start + headerLen };
}

/** Bytes of data the header implies (undefined for object arrays, whose pickle runs to the end). */
export function npyDataBytes(h: NpyHeader): number | undefined {
  if (h.dtype.kind === 'O') return undefined;
  return h.count * h.dtype.itemsize;
}

function checkSize(h: NpyHeader, available: number, limits: NpyLimits, file: string): void {
  const want = npyDataBytes(h);
  const max = limits.maxBytes ?? 2 ** 31;
  if (want === undefined) {
    if (available > max) throw new ArtifactError('too_large', file, `object array pickle of ${available} bytes is over the ${max}-byte limit`);
    return;
  }
  if (!Number.isSafeInteger(want) || want > max) throw new ArtifactError('too_large', file, `array of shape (${h.shape.join(', ')}) ${h.dtype.descr} needs ${want} bytes, over the ${max}-byte limit`);
  if (available < want) throw new ArtifactError('truncated', file, `npy header says ${want} bytes of data, file has ${available}`);
}

function float16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
    out[i] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  }
  return out;
}

/**
 * Native-order memory for `bytes`: a view of the same memory when no swap is needed and the
 * items are aligned (numpy pads headers to 64 bytes, so they usually are), else a copy,
 * byte-swapped when big-endian. Returns [buffer, byteOffset].
 */
function nativeBytes(bytes: Uint8Array, width: number, bigEndian: boolean): [ArrayBuffer, number] {
  if ((!bigEndian || width === 1) && bytes.byteOffset % width === 0) return [bytes.buffer as ArrayBuffer, bytes.byteOffset];
  return [nativeCopy(bytes, width, bigEndian), 0];
}

/** Copies `bytes` into fresh aligned memory, byte-swapping items of `width` when big-endian. */
function nativeCopy(bytes: Uint8Array, width: number, bigEndian: boolean): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  if (!bigEndian || width === 1) out.set(bytes);
  else for (let i = 0; i < bytes.length; i += width) for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k];
  return out.buffer;
}

/** Reorders Fortran-order elements into C order. */
export function fortranToC<T extends { length: number; [i: number]: unknown }>(src: T, shape: number[], make: (n: number) => T, group = 1): T {
  const n = shape.reduce((a, b) => a * b, 1);
  if (shape.length < 2 || n === 0) return src;
  const out = make(src.length);
  const nd = shape.length;
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let d = 1; d < nd; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = 0; d < nd; d++) f += idx[d] * fStride[d];
    for (let g = 0; g < group; g++) out[c * group + g] = src[f * group + g];
    for (let d = nd - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return out;
}

function decodeValues(h: NpyHeader, data: Uint8Array, file: string): NpyValues {
  const { kind, itemsize, bigEndian } = h.dtype;
  const n = h.count;
  const bytes = data.subarray(0, n * itemsize);
  const f = <T extends { length: number; [i: number]: unknown }>(arr: T, make: (n: number) => T, group = 1) => (h.fortranOrder ? fortranToC(arr, h.shape, make, group) : arr);
  switch (kind) {
    case 'O': {
      const obj = unpickleObjectArray(data, file);
      return { kind: 'object', values: obj.values };
    }
    case 'b': return { kind: 'bool', values: f(bytes.slice(), (k) => new Uint8Array(k)) };
    case 'f': {
      const [buf, off] = nativeBytes(bytes, itemsize, bigEndian);
      if (itemsize === 2) return { kind: 'number', values: f(float16ToFloat32(new Uint16Array(buf, off, n)), (k) => new Float32Array(k)) };
      if (itemsize === 4) return { kind: 'number', values: f(new Float32Array(buf, off, n), (k) => new Float32Array(k)) };
      return { kind: 'number', values: f(new Float64Array(buf, off, n), (k) => new Float64Array(k)) };
    }
    case 'c': {
      const [buf, off] = nativeBytes(bytes, itemsize / 2, bigEndian);
      if (itemsize === 8) return { kind: 'complex', values: f(new Float32Array(buf, off, n * 2), (k) => new Float32Array(k), 2) };
      return { kind: 'complex', values: f(new Float64Array(buf, off, n * 2), (k) => new Float64Array(k), 2) };
    }
    case 'i': case 'u': {
      const [buf, off] = nativeBytes(bytes, itemsize, bigEndian);
      const signed = kind === 'i';
      if (itemsize === 8) {
        return signed ? { kind: 'bigint', values: f(new BigInt64Array(buf, off, n), (k) => new BigInt64Array(k)) } : { kind: 'bigint', values: f(new BigUint64Array(buf, off, n), (k) => new BigUint64Array(k)) };
      }
      const ctor = { 1: signed ? Int8Array : Uint8Array, 2: signed ? Int16Array : Uint16Array, 4: signed ? Int32Array : Uint32Array }[itemsize as 1 | 2 | 4];
      const values = new ctor(buf, off, n);
      return { kind: 'number', values: f(values, (k) => new ctor(k)) };
    }
    case 'U': {
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const chars = itemsize / 4;
      const out: string[] = new Array(n);
      for (let i = 0; i < n; i++) {
        let s = '';
        for (let c = 0; c < chars; c++) {
          const cp = dv.getUint32((i * chars + c) * 4, !bigEndian);
          if (cp === 0) break; // numpy pads with NULs
          if (cp > 0x10ffff) throw new ArtifactError('inconsistent', file, `unicode element ${i} has an invalid code point`);
          s += String.fromCodePoint(cp);
        }
        out[i] = s;
      }
      return { kind: 'string', values: f(out, (k) => new Array<string>(k)) };
    }
    case 'S': {
      const out: Uint8Array[] = new Array(n);
      for (let i = 0; i < n; i++) {
        let item = bytes.subarray(i * itemsize, (i + 1) * itemsize);
        let end = item.length;
        while (end > 0 && item[end - 1] === 0) end--;
        item = item.slice(0, end);
        out[i] = item;
      }
      return { kind: 'bytes', values: f(out, (k) => new Array<Uint8Array>(k) as Uint8Array[]) };
    }
  }
}

/** Decodes a whole .npy held in memory (e.g. an npz member). */
export function decodeNpy(bytes: Uint8Array, file: string, limits: NpyLimits = {}): NpyArray {
  const h = parseNpyHeader(bytes, file);
  const data = bytes.subarray(h.dataOffset);
  checkSize(h, data.length, limits, file);
  return { ...h, data: decodeValues(h, data, file) };
}

/** Reads the header only: cheap on any size of file. */
export async function readNpyHeaderFrom(src: ByteSource): Promise<NpyHeader> {
  const pre = await src.read(0, Math.min(src.size, 12), 'npy preamble');
  const major = pre[6];
  const len = pre.length >= 10 ? (major === 1 ? pre[8] | (pre[9] << 8) : pre.length >= 12 ? new DataView(pre.buffer, pre.byteOffset).getUint32(8, true) : 0) : 0;
  const headerEnd = Math.min(src.size, (major === 1 ? 10 : 12) + Math.min(len, MAX_HEADER_BYTES + 1));
  return parseNpyHeader(await src.read(0, headerEnd, 'npy header'), src.name);
}

export async function readNpy(path: string, limits: NpyLimits = {}): Promise<NpyArray> {
  return withFile(path, async (src) => {
    const h = await readNpyHeaderFrom(src);
    const available = src.size - h.dataOffset;
    checkSize(h, available, limits, path);
    const want = npyDataBytes(h) ?? available;
    const data = await src.read(h.dataOffset, want, 'npy data');
    return { ...h, data: decodeValues(h, data, path) };
  });
}

export async function readNpyHeader(path: string): Promise<NpyHeader> {
  return withFile(path, readNpyHeaderFrom);
}
