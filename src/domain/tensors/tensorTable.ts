// The Tensor Inspector's table of a file's tensors, each with the byte range its values lie in,
// whatever the container: safetensors, a torch checkpoint, an .npy, or an .npz (members stored
// uncompressed, as np.savez writes them, by range; np.savez_compressed's inflated when shown).
// Only headers are read here; values come later, by range, through the same code for all.
import { ArtifactError } from '../artifacts/errors';
import { parseNpyHeader, readNpyHeaderFrom, type NpyHeader } from '../artifacts/npy';
import { readSafetensorsHeaderFrom, type SafetensorsHeader, type SafetensorsTensor } from '../artifacts/safetensors';
import { MemorySource, type ByteSource } from '../artifacts/source';
import { isTorchLegacy, isTorchZip, readTorchCheckpointFrom } from '../artifacts/torch';
import { memberDataOffset, readZipDirectory, readZipMember, readZipMemberPrefix } from '../artifacts/zip';

export type TensorFormat = 'safetensors' | 'torch' | 'npy' | 'npz';

export interface TensorTable extends SafetensorsHeader {
  format: TensorFormat;
  /** Plain-text notes: tensors listed but not readable by range, and why. */
  notes: string[];
  /**
   * Tensors whose bytes are not a range of the file (np.savez_compressed members): how to read
   * them from the open file, inflated into memory; their begin/end are in that member.
   */
  inflated?: Map<string, (file: ByteSource) => Promise<ByteSource>>;
}

/** Compressed npz members up to this size are inflated to be shown; larger ones are only listed. */
export const MAX_INFLATED_MEMBER = 256 << 20;

/** numpy dtypes that map onto the converter's (little-endian; one byte needs no order). */
const NPY_DTYPES: Record<string, string> = {
  b1: 'BOOL', i1: 'I8', u1: 'U8', i2: 'I16', u2: 'U16', i4: 'I32', u4: 'U32', i8: 'I64', u8: 'U64', f2: 'F16', f4: 'F32', f8: 'F64', c8: 'C64',
};

/** An npy array as a tensor at `base` in the file, or why it cannot be one. */
function npyTensor(name: string, h: NpyHeader, base: number): SafetensorsTensor | string {
  const code = `${h.dtype.kind}${h.dtype.itemsize}`;
  const dtype = NPY_DTYPES[code];
  if (!dtype) return `dtype ${h.dtype.descr} has no numeric values to show`;
  if (h.dtype.bigEndian && h.dtype.itemsize > 1) return `big-endian ${h.dtype.descr}: values are not read by range`;
  // A Fortran-ordered array is the C-ordered array of the reversed shape: shown transposed.
  const shape = h.fortranOrder ? [...h.shape].reverse() : h.shape;
  const begin = base + h.dataOffset;
  return { name: h.fortranOrder ? `${name} (transposed: Fortran order)` : name, dtype, shape, count: h.count, begin, end: begin + h.count * h.dtype.itemsize };
}

export async function readTensorTable(src: ByteSource): Promise<TensorTable> {
  const head = await src.read(0, Math.min(16, src.size), 'file signature');
  const notes: string[] = [];
  if (isTorchLegacy(head)) {
    const c = await readTorchCheckpointFrom(src);
    return { ...c, format: 'torch', notes: c.skipped.map((s) => `${s.name}: not shown, ${s.why}`) };
  }
  if (head[0] === 0x93 && head[1] === 0x4e) {
    const h = await readNpyHeaderFrom(src);
    const t = npyTensor('array', h, 0);
    if (typeof t === 'string') notes.push(`array: ${t}`);
    else if (t.end > src.size) throw new ArtifactError('truncated', src.name, `npy data should end at byte ${t.end}, the file has ${src.size}`);
    return { file: src.name, headerBytes: h.dataOffset, metadata: { version: h.version, dtype: h.dtype.descr, fortran_order: String(h.fortranOrder) }, tensors: typeof t === 'string' ? [] : [t], format: 'npy', notes };
  }
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const entries = await readZipDirectory(src);
    if (isTorchZip(entries.map((e) => e.name))) {
      const c = await readTorchCheckpointFrom(src);
      return { ...c, format: 'torch', notes: c.skipped.map((s) => `${s.name}: not shown, ${s.why}`) };
    }
    const tensors: SafetensorsTensor[] = [];
    const inflated = new Map<string, (file: ByteSource) => Promise<ByteSource>>();
    for (const e of entries.filter((x) => !x.name.endsWith('/'))) {
      const key = e.name.replace(/\.npy$/, '');
      if (e.method !== 0 && e.size > MAX_INFLATED_MEMBER) { notes.push(`${key}: compressed in the archive (np.savez_compressed) and ${e.size} bytes inflated, over the ${MAX_INFLATED_MEMBER}-byte limit: listed, not read`); continue; }
      try {
        const h = parseNpyHeader(await readZipMemberPrefix(src, e, Math.min(e.size, 70_000)), `${src.name}[${key}]`);
        const t = npyTensor(key, h, e.method === 0 ? await memberDataOffset(src, e) : 0);
        if (typeof t !== 'string' && e.method !== 0) inflated.set(t.name, async (file) => new MemorySource(`${file.name}[${key}]`, await readZipMember(file, e)));
        if (typeof t === 'string') notes.push(`${key}: ${t}`);
        else tensors.push(t);
      } catch (err) {
        if (!(err instanceof ArtifactError)) throw err;
        notes.push(`${key}: ${err.detail}`);
      }
    }
    return { file: src.name, headerBytes: 0, metadata: { members: String(entries.length) }, tensors, format: 'npz', notes, inflated };
  }
  return { ...(await readSafetensorsHeaderFrom(src)), format: 'safetensors', notes };
}
