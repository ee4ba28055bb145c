// Torch checkpoints: torch.save's zip format (.pt, .ckpt, .bin: <prefix>/data.pkl describes the
// object, each tensor's storage is the member <prefix>/data/<key>), and the legacy format before
// it (five pickles in a row: a magic number, the protocol version, system info, the object, the
// storage keys; then each storage as an 8-byte element count and its bytes). The pickle is read by the
// data-only interpreter with a dialect that knows only the tensor-rebuild calls, the storage
// types and plain containers; anything else is refused by name and nothing is ever run.
// Torch stores members uncompressed, so each contiguous tensor is a byte range of the file,
// shown by the same inspector code as a safetensors tensor. Lightning's other keys (epoch,
// global_step, hyper_parameters, optimizer state) come back as plain data.
import { lookupTable } from '../lookupTable';
import { ArtifactError } from './errors';
import { NUMPY_GLOBALS, numpyBuild, numpyCall } from './pickle';
import { isObj, pickleErrors, unpickle, unpickleAt, type Global, type PickleDialect, type Value } from './pickleVm';
import { SAFETENSORS_DTYPES, type SafetensorsHeader, type SafetensorsTensor } from './safetensors';
import type { ByteSource } from './source';
import { memberDataOffset, readZipDirectory, readZipMember, type ZipEntry } from './zip';

/** torch's storage classes and the element type each holds (as safetensors names it). */
const STORAGE_DTYPES = lookupTable({
  FloatStorage: 'F32', DoubleStorage: 'F64', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
});
const REBUILD = new Set(['_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_parameter', '_rebuild_parameter_with_state']);
const MAX_PICKLE_BYTES = 256 << 20;
const MAX_TENSORS = 200_000;

interface Storage { dtype: string; key: string; location: string; numel: number }
interface TensorRef { storage: Storage; offset: number; shape: number[]; stride: number[] }

export interface TorchCheckpoint extends SafetensorsHeader {
  /** Tensors that cannot be shown as a byte range (non-contiguous, or a storage missing), with why. */
  skipped: { name: string; why: string }[];
}

const DIALECT: PickleDialect = {
  what: 'torch checkpoint',
  allows: (module, name) =>
    (module === 'torch._utils' && REBUILD.has(name)) || (module === 'torch' && name in STORAGE_DTYPES)
    || (module === 'collections' && name === 'OrderedDict') || (module === 'torch' && (name === 'Size' || name === 'device'))
    || (module === 'builtins' && (name === 'set' || name === 'frozenset'))
    || NUMPY_GLOBALS.has(`${module}.${name}`) || (/^numpy\.(_?core)\.multiarray$/.test(module) && name === 'scalar'),
  call(fn, args, reject) {
    if (fn.module === 'torch._utils' && REBUILD.has(fn.name)) {
      if (fn.name.startsWith('_rebuild_parameter')) return args[0]; // a Parameter is its tensor
      const [storage, offset, size, stride] = args;
      if (!isObj(storage) || storage.kind !== 'made' || storage.tag !== 'storage') return reject(`${fn.name} without a storage`);
      const ints = (v: Value, what: string) => (isObj(v) && v.kind === 'tuple' && v.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) ? v.items as number[] : reject(`tensor ${what} is not a tuple of sizes`));
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return reject('tensor storage offset is not a count');
      return { kind: 'made', tag: 'tensor', data: { storage: storage.data as Storage, offset, shape: ints(size, 'size'), stride: ints(stride, 'stride') } satisfies TensorRef };
    }
    if (fn.module === 'collections' && fn.name === 'OrderedDict') return { kind: 'dict', entries: [] };
    if (fn.module === 'torch' && fn.name === 'Size') return args[0] ?? { kind: 'tuple', items: [] };
    if (fn.module === 'torch' && fn.name === 'device') return `device(${args.map(String).join(', ')})`;
    if (fn.module === 'builtins') return isObj(args[0]) && args[0].kind === 'list' ? args[0] : { kind: 'list', items: [] };
    if (fn.name === 'scalar') return { kind: 'made', tag: 'numpy scalar', data: args };
    return numpyCall(fn.module, fn.name, args, reject) ?? reject(`${fn.module}.${fn.name} cannot be called`);
  },
  build(obj, state, reject) {
    // OrderedDict and tensors carry (empty) state; numpy arrays their data.
    if (isObj(obj) && (obj.kind === 'dict' || (obj.kind === 'made' && obj.tag === 'tensor'))) return obj;
    return numpyBuild(obj, state, reject);
  },
  persistentLoad(pid, reject) {
    // ('storage', torch.<Type>Storage, key, location, numel)
    if (!isObj(pid) || pid.kind !== 'tuple' || pid.items[0] !== 'storage') return reject('a persistent id that is not a storage');
    const [, type, key, location, numel] = pid.items;
    const t = type as Global;
    const dtype = isObj(type) && type.kind === 'global' ? STORAGE_DTYPES[t.name] : undefined;
    if (!dtype) return reject(`storage of type ${isObj(type) && type.kind === 'global' ? `${t.module}.${t.name}` : String(type)}`);
    if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key)) return reject('a storage key that is not a plain name');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return reject('a storage size that is not a count');
    return { kind: 'made', tag: 'storage', data: { dtype, key, location: String(location), numel } satisfies Storage };
  },
};

/** The checkpoint's object as plain JSON-able data: tensors as their summary, dicts as objects. */
export type PlainData = null | boolean | number | string | PlainData[] | { [key: string]: PlainData };

function plain(v: Value, depth = 0): PlainData {
  if (depth > 32) return '…';
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  switch (v.kind) {
    case 'tuple': case 'list': return v.items.slice(0, 1000).map((x) => plain(x, depth + 1));
    case 'dict': return Object.fromEntries(v.entries.slice(0, 10_000).map(([k, x]) => [String(plain(k, depth + 1)), plain(x, depth + 1)]));
    case 'made': {
      if (v.tag === 'tensor') { const t = v.data as TensorRef; return `tensor ${t.storage.dtype} [${t.shape.join(', ')}]`; }
      return `<${v.tag}>`;
    }
    case 'global': return `<${v.module}.${v.name}>`;
    default: return '<?>';
  }
}

/** Every tensor in the object with its dotted path ("state_dict.layer.weight"). */
function collectTensors(v: Value, path: string, out: { name: string; t: TensorRef }[], depth = 0): void {
  if (depth > 32 || out.length > MAX_TENSORS || !isObj(v)) return;
  if (v.kind === 'made' && v.tag === 'tensor') { out.push({ name: path, t: v.data as TensorRef }); return; }
  if (v.kind === 'dict') for (const [k, x] of v.entries) collectTensors(x, path ? `${path}.${String(plain(k))}` : String(plain(k)), out, depth + 1);
  else if (v.kind === 'list' || v.kind === 'tuple') v.items.forEach((x, i) => collectTensors(x, path ? `${path}.${i}` : String(i), out, depth + 1));
}

const isContiguous = (shape: number[], stride: number[]) => {
  let expect = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) return false;
    expect *= shape[i];
  }
  return true;
};

/** Lightning checkpoints keep the model under state_dict: its tensors are named without it. */
const MODEL_KEY = 'state_dict';

/** Reads a torch zip checkpoint's tensors (as byte ranges) and its other contents (as data). */
export async function readTorchCheckpointFrom(src: ByteSource): Promise<TorchCheckpoint & { data: PlainData }> {
  const file = src.name;
  if (isTorchLegacy(await src.read(0, Math.min(src.size, 16), 'file signature'))) return readTorchLegacyFrom(src);
  const entries = await readZipDirectory(src);
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) throw new ArtifactError('unsupported', file, 'zip archive without a <name>/data.pkl: not a torch checkpoint (torch.save with _use_new_zipfile_serialization)');
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const byteorder = entries.find((e) => e.name === `${prefix}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(await readZipMember(src, byteorder, { maxMemberBytes: 16 }));
    if (order.trim() !== 'little') throw new ArtifactError('unsupported', file, `tensors are stored ${order.trim()}-endian`);
  }
  const root = unpickle(await readZipMember(src, pkl, { maxMemberBytes: MAX_PICKLE_BYTES }), file, DIALECT);
  const storages = new Map<string, StorageBytes>();
  for (const e of entries) {
    if (!e.name.startsWith(`${prefix}data/`)) continue;
    storages.set(e.name.slice(prefix.length + 5), { offset: () => memberDataOffset(src, e), size: e.size, compressed: e.method !== 0 });
  }
  return finishCheckpoint(file, root, storages, pkl.size);
}

/** Where one storage's bytes lie: an offset in the file (found lazily), their size, and whether compressed. */
interface StorageBytes { offset: () => Promise<number>; size: number; compressed: boolean }

/** The tensors of `root` as byte ranges of their storages, and the rest of it as data. */
async function finishCheckpoint(file: string, root: Value, storages: Map<string, StorageBytes>, headerBytes: number): Promise<TorchCheckpoint & { data: PlainData }> {
  const { corrupt } = pickleErrors(file, DIALECT.what);
  const found: { name: string; t: TensorRef }[] = [];
  collectTensors(root, '', found);
  const tensors: SafetensorsTensor[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const { name, t } of found) {
    const shown = name.startsWith(`${MODEL_KEY}.`) ? name.slice(MODEL_KEY.length + 1) : name;
    const entry = storages.get(t.storage.key);
    const size = SAFETENSORS_DTYPES[t.storage.dtype];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!entry) { skipped.push({ name: shown, why: `its storage data/${t.storage.key} is missing from the archive` }); continue; }
    if (entry.compressed) { skipped.push({ name: shown, why: `its storage data/${t.storage.key} is compressed` }); continue; }
    if (t.shape.length !== t.stride.length) corrupt(`tensor ${shown} has ${t.shape.length} sizes and ${t.stride.length} strides`);
    if (!isContiguous(t.shape, t.stride)) { skipped.push({ name: shown, why: `non-contiguous (strides ${t.stride.join(', ')})` }); continue; }
    if ((t.offset + count) * size > entry.size || t.storage.numel * size > entry.size) {
      throw new ArtifactError('inconsistent', file, `tensor ${shown} needs bytes ${t.offset * size}–${(t.offset + count) * size} of storage data/${t.storage.key}, which has ${entry.size}`);
    }
    const begin = (await entry.offset()) + t.offset * size;
    tensors.push({ name: shown, dtype: t.storage.dtype, shape: t.shape, count, begin, end: begin + count * size });
  }
  const data = plain(root);
  // Everything but the model's tensors, as text: epoch, global_step, hyper_parameters, …
  const metadata: Record<string, string> = data && typeof data === 'object' && !Array.isArray(data)
    ? Object.fromEntries(Object.entries(data).filter(([k]) => k !== MODEL_KEY).map(([k, v]) => [k, typeof v === 'string' ? v : summarize(v)]))
    : {};
  return { file, headerBytes, metadata, tensors, skipped, data };
}

/** A value as one line: scalars as they are, containers as JSON cut to 400 characters. */
function summarize(v: PlainData): string {
  const s = JSON.stringify(v);
  return s.length > 400 ? `${s.slice(0, 399)}…` : s;
}

/** Whether a zip's names say torch.save wrote it (a data.pkl under one folder). */
export function isTorchZip(names: readonly string[]): boolean {
  return names.some((n) => /^[^/]+\/data\.pkl$/.test(n));
}

/** The legacy format's magic number (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_HEAD = 64 << 20;

/** Whether `head` starts with the legacy format's first pickle (PROTO 2, LONG1 magic). */
export function isTorchLegacy(head: Uint8Array): boolean {
  if (head.length < 15 || head[0] !== 0x80 || head[2] !== 0x8a || head[3] !== 10) return false;
  let v = 0n;
  for (let i = 9; i >= 0; i--) v = (v << 8n) | BigInt(head[4 + i]);
  return v === LEGACY_MAGIC;
}

/** A legacy torch.save file: its pickles read from the head, its storages found by walking their count prefixes. */
export async function readTorchLegacyFrom(src: ByteSource): Promise<TorchCheckpoint & { data: PlainData }> {
  const file = src.name;
  const head = await src.read(0, Math.min(src.size, LEGACY_HEAD), 'torch pickles');
  if (!isTorchLegacy(head)) throw new ArtifactError('bad_magic', file, 'not a torch checkpoint (no zip, no legacy magic number)');
  const plainDialect: PickleDialect = { what: DIALECT.what, allows: () => false, call: (_f, _a, reject) => reject('a call in a header pickle') };
  let at = unpickleAt(head, 0, file, plainDialect).end; // the magic number
  const version = unpickleAt(head, at, file, plainDialect);
  if (version.value !== 1001) throw new ArtifactError('unsupported', file, `legacy torch protocol ${String(version.value)} (this reader knows 1001)`);
  const sysInfo = unpickleAt(head, version.end, file, plainDialect);
  const info = plain(sysInfo.value) as Record<string, PlainData> | null;
  if (info && typeof info === 'object' && info.little_endian === false) throw new ArtifactError('unsupported', file, 'tensors are stored big-endian');
  const object = unpickleAt(head, sysInfo.end, file, DIALECT);
  const keys = unpickleAt(head, object.end, file, plainDialect);
  at = keys.end;
  const keyList = isObj(keys.value) && keys.value.kind === 'list' ? keys.value.items : undefined;
  if (!keyList || !keyList.every((k) => typeof k === 'string')) throw new ArtifactError('inconsistent', file, 'legacy torch file: the storage key list is not a list of names');
  // Element sizes per key, from the storages the object names.
  const found: { name: string; t: TensorRef }[] = [];
  collectTensors(object.value, '', found);
  const elementSize = new Map(found.map(({ t }) => [t.storage.key, SAFETENSORS_DTYPES[t.storage.dtype]]));
  const storages = new Map<string, StorageBytes>();
  for (const key of keyList as string[]) {
    if (at + 8 > src.size) throw new ArtifactError('truncated', file, `legacy torch file ends before storage ${key}`);
    const n = new DataView((await src.read(at, 8, `storage ${key} size`)).buffer).getBigUint64(0, true);
    const width = elementSize.get(key) ?? 1;
    const bytes = Number(n) * width;
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || at + 8 + bytes > src.size) throw new ArtifactError('truncated', file, `legacy torch storage ${key} claims ${n} elements, past the end of the file`);
    const offset = at + 8;
    storages.set(key, { offset: async () => offset, size: bytes, compressed: false });
    at = offset + bytes;
  }
  return finishCheckpoint(file, object.value, storages, object.end);
}
