// A restricted pickle reader for what numpy writes when it saves an object array
// (np.save / np.savez of dtype=object): an ndarray rebuilt through
// numpy.core.multiarray._reconstruct whose elements are str, bytes, int, float, bool or None.
// A dialect of the data-only interpreter (pickleVm.ts): the few numpy globals it knows become
// plain markers; any other global, and any opcode that could call code, is refused.
import { isObj, pickleErrors, unpickle, type PickleDialect, type PickleScalar, type Value } from './pickleVm';

export type { PickleScalar };

export interface ObjectArray {
  shape: number[];
  fortranOrder: boolean;
  values: PickleScalar[];
}

const RECONSTRUCT_MODULES = new Set(['numpy.core.multiarray', 'numpy._core.multiarray']);
/** The numpy globals an object array pickle may name. */
export const NUMPY_GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.ndarray', 'numpy.dtype', '_codecs.encode',
]);

type NdArray = { state?: Value };

/** numpy's own globals as data: _reconstruct → an array awaiting its state, dtype, bytes. */
export function numpyCall(module: string, name: string, a: Value[], reject: (why: string) => never): Value | undefined {
  if (RECONSTRUCT_MODULES.has(module) && name === '_reconstruct') return { kind: 'made', tag: 'ndarray', data: {} as NdArray };
  if (module === 'numpy' && name === 'dtype') {
    return typeof a[0] === 'string' ? { kind: 'made', tag: 'dtype', data: a[0] } : reject('dtype without a type string');
  }
  if (module === '_codecs' && name === 'encode') {
    // Protocol 2 pickles bytes as _codecs.encode(str, 'latin1').
    if (typeof a[0] !== 'string' || (a[1] !== 'latin1' && a[1] !== 'latin-1')) return reject('_codecs.encode with unexpected arguments');
    const s = a[0];
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
    return out;
  }
  return undefined;
}

/** BUILD on numpy's markers: an array keeps its state; a dtype ignores its own. */
export function numpyBuild(obj: Value, state: Value, reject: (why: string) => never): Value {
  if (!isObj(obj) || obj.kind !== 'made' || (obj.tag !== 'ndarray' && obj.tag !== 'dtype')) return reject('BUILD on an object that is not a numpy array or dtype');
  if (obj.tag === 'ndarray') (obj.data as NdArray).state = state;
  return obj;
}

const OBJECT_ARRAY: PickleDialect = {
  what: 'object array',
  allows: (module, name) => NUMPY_GLOBALS.has(`${module}.${name}`),
  call: (fn, args, reject) => numpyCall(fn.module, fn.name, args, reject) ?? reject(`${fn.module}.${fn.name} cannot be called`),
  build: numpyBuild,
};

export function unpickleObjectArray(bytes: Uint8Array, file: string): ObjectArray {
  const { reject, corrupt } = pickleErrors(file, OBJECT_ARRAY.what);
  return finish(unpickle(bytes, file, OBJECT_ARRAY), reject, corrupt);
}

/** An ndarray marker's state as shape, dtype descr, order and raw data (bytes or a list). */
export function ndarrayState(result: Value, corrupt: (why: string) => never): { shape: number[]; descr: string; fortran: boolean; data: Value } | undefined {
  if (!isObj(result) || result.kind !== 'made' || result.tag !== 'ndarray' || !(result.data as NdArray).state) return undefined;
  const st = (result.data as NdArray).state!;
  if (!isObj(st) || st.kind !== 'tuple' || st.items.length < 5) return corrupt('array state is not a 5-tuple');
  const [, shapeV, dtypeV, fortranV, dataV] = st.items;
  if (!isObj(shapeV) || shapeV.kind !== 'tuple') return corrupt('array shape is not a tuple');
  const shape = shapeV.items.map((d) => (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 ? d : corrupt('array shape has a non-integer')));
  if (!isObj(dtypeV) || dtypeV.kind !== 'made' || dtypeV.tag !== 'dtype') return corrupt('array dtype missing');
  return { shape, descr: dtypeV.data as string, fortran: fortranV === true, data: dataV };
}

function finish(result: Value, reject: (w: string) => never, corrupt: (w: string) => never): ObjectArray {
  const a = ndarrayState(result, corrupt) ?? reject('the pickle is not a numpy array');
  if (!/^\|?O\d*$/.test(a.descr)) return reject(`array of dtype ${a.descr} inside a pickle`);
  const dataV = a.data;
  if (!isObj(dataV) || dataV.kind !== 'list') return corrupt('object array data is not a list');
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (dataV.items.length !== count) return corrupt(`shape ${JSON.stringify(a.shape)} needs ${count} elements, the pickle has ${dataV.items.length}`);
  const values = dataV.items.map((v, i) => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Uint8Array) return v;
    return reject(`element ${i} is a ${v.kind}, not a str, bytes, int, float, bool or None`);
  });
  return { shape: a.shape, fortranOrder: a.fortran, values };
}
