// A data-only pickle interpreter shared by the readers of pickled files (numpy object
// arrays, torch checkpoints). It walks the opcodes and builds plain values; globals, calls,
// object builds and persistent ids are handed to a dialect that turns the few it knows into
// markers or data and refuses the rest. Nothing is ever imported, called or evaluated.
import { ArtifactError } from './errors';

export type PickleScalar = string | number | bigint | boolean | null | Uint8Array;

const MAX_STACK = 100_000;
/**
 * Memo entries allowed: a million, or one per 8 bytes of pickle where it is longer. A real
 * pickle memoizes each string it writes (numpy's object array of a million metadata rows has
 * a million), and a string with its memo opcode takes more than 8 bytes; a hostile run of
 * 1-byte MEMOIZE opcodes stays bounded by the pickle's size.
 */
const MAX_MEMO = 1_000_000;
const BYTES_PER_MEMO = 8;

export type Global = { kind: 'global'; module: string; name: string };
export type Tuple = { kind: 'tuple'; items: Value[] };
export type List = { kind: 'list'; items: Value[] };
export type Dict = { kind: 'dict'; entries: [Value, Value][] };
type Mark = { kind: 'mark' };
/** What a dialect builds: tagged data of its own. */
export type Made = { kind: 'made'; tag: string; data: unknown };
export type Value = PickleScalar | Global | Tuple | List | Dict | Mark | Made;

export function isObj(v: Value): v is Exclude<Value, PickleScalar> {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array);
}

/** How one kind of pickle's objects become data. Each hook may throw through `reject`. */
export interface PickleDialect {
  /** Named in messages: "object array", "torch checkpoint". */
  what: string;
  /** Whether GLOBAL module.name may appear at all. */
  allows(module: string, name: string): boolean;
  /** REDUCE: `fn(*args)` for an allowed global. */
  call(fn: Global, args: Value[], reject: (why: string) => never): Value;
  /** BUILD: `obj.__setstate__(state)`; returns the object to leave on the stack. */
  build?(obj: Value, state: Value, reject: (why: string) => never): Value;
  /** NEWOBJ: `cls.__new__(cls, *args)`. */
  newObj?(cls: Global, args: Value[], reject: (why: string) => never): Value;
  /** BINPERSID / PERSID: what the persistent id names. */
  persistentLoad?(pid: Value, reject: (why: string) => never): Value;
}

export interface PickleErrors {
  reject: (why: string) => never;
  corrupt: (why: string) => never;
}

/** The errors of a dialect's reader, naming the file. */
export function pickleErrors(file: string, what: string): PickleErrors {
  return {
    reject: (why) => { throw new ArtifactError('pickle_rejected', file, `${what} not displayed: ${why}`); },
    corrupt: (why) => { throw new ArtifactError('inconsistent', file, `${what} pickle is corrupt: ${why}`); },
  };
}

/** Runs the pickle in `bytes` as data under `dialect`; returns the value STOP leaves. */
export function unpickle(bytes: Uint8Array, file: string, dialect: PickleDialect): Value {
  return unpickleAt(bytes, 0, file, dialect).value;
}

/** The pickle starting at byte `start` (files that hold several one after another), and where it ended. */
export function unpickleAt(bytes: Uint8Array, start: number, file: string, dialect: PickleDialect): { value: Value; end: number } {
  const { reject, corrupt } = pickleErrors(file, dialect.what);
  const what = dialect.what;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = start;
  const stack: Value[] = [];
  const marks: number[] = [];
  // Python's pickler numbers memo entries 0, 1, 2…: an array, not a map (a million entries is usual).
  const memo: Value[] = [];
  let memoEntries = 0;

  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw new ArtifactError('truncated', file, `${what} pickle ends early at byte ${pos} (needs ${n} more)`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) throw new ArtifactError('truncated', file, `${what} pickle claims a ${v}-byte item, larger than the data`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new ArtifactError('truncated', file, `${what} pickle ends inside a text line`);
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const text = (b: Uint8Array) => {
    try {
      return utf8.decode(b);
    } catch {
      return corrupt('a string is not valid UTF-8');
    }
  };
  const push = (v: Value) => {
    if (stack.length >= MAX_STACK) reject(`more than ${MAX_STACK} values on the pickle stack`);
    stack.push(v);
  };
  const pop = (): Value => (stack.length === 0 ? corrupt('stack underflow') : stack.pop()!);
  const top = (): Value => (stack.length === 0 ? corrupt('stack underflow') : stack[stack.length - 1]);
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) return corrupt('no MARK for a collection opcode');
    return stack.splice(m);
  };
  const maxMemo = Math.max(MAX_MEMO, Math.floor((bytes.length - start) / BYTES_PER_MEMO));
  const memoPut = (i: number) => {
    if (!Number.isSafeInteger(i) || i < 0) corrupt(`memo index ${i} is not a count`);
    if (memo[i] === undefined) {
      if (memoEntries >= maxMemo) reject(`memo table too large (over ${maxMemo} entries)`);
      memoEntries++;
    }
    memo[i] = top();
  };
  const memoGet = (i: number) => {
    const v = Number.isSafeInteger(i) && i >= 0 ? memo[i] : undefined;
    if (v === undefined) corrupt(`memo ${i} read before it was written`);
    push(v!);
  };
  const global = (module: string, name: string): Global => {
    if (!dialect.allows(module, name)) reject(`pickle references ${module}.${name}, which Run Reel does not run`);
    return { kind: 'global', module, name };
  };
  const longFromBytes = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const tupleItems = (v: Value, op: string): Value[] => (isObj(v) && v.kind === 'tuple' ? v.items : reject(`${op} arguments are not a tuple`));
  const reduce = (fn: Value, args: Value): Value => {
    if (!isObj(fn) || fn.kind !== 'global') return reject('REDUCE on something that is not a known constructor');
    return dialect.call(fn, tupleItems(args, 'REDUCE'), reject);
  };

  let proto = 0;
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: proto = u8(); if (proto > 5) reject(`pickle protocol ${proto} is newer than this reader`); break; // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x63: { const m = line(); const n = line(); push(global(m, n)); break; } // GLOBAL
      case 0x93: { const n = pop(); const m = pop(); if (typeof m !== 'string' || typeof n !== 'string') corrupt('STACK_GLOBAL needs two strings'); push(global(m as string, n as string)); break; }
      case 0x94: memoPut(memoEntries); break; // MEMOIZE
      case 0x71: memoPut(u8()); break; // BINPUT
      case 0x72: memoPut(u32()); break; // LONG_BINPUT
      case 0x70: memoPut(Number.parseInt(line(), 10)); break; // PUT
      case 0x68: memoGet(u8()); break; // BINGET
      case 0x6a: memoGet(u32()); break; // LONG_BINGET
      case 0x67: memoGet(Number.parseInt(line(), 10)); break; // GET
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x74: push({ kind: 'tuple', items: popMark() }); break; // TUPLE
      case 0x29: push({ kind: 'tuple', items: [] }); break; // EMPTY_TUPLE
      case 0x85: push({ kind: 'tuple', items: [pop()] }); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push({ kind: 'tuple', items: [a, b] }); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push({ kind: 'tuple', items: [a, b, c] }); break; } // TUPLE3
      case 0x5d: push({ kind: 'list', items: [] }); break; // EMPTY_LIST
      case 0x6c: push({ kind: 'list', items: popMark() }); break; // LIST
      case 0x61: { const v = pop(); const l = top(); if (!isObj(l) || l.kind !== 'list') corrupt('APPEND to a non-list'); (l as List).items.push(v); break; }
      case 0x65: { const items = popMark(); const l = top(); if (!isObj(l) || l.kind !== 'list') corrupt('APPENDS to a non-list'); for (const v of items) (l as List).items.push(v); break; }
      case 0x7d: push({ kind: 'dict', entries: [] }); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const entries: [Value, Value][] = []; for (let i = 0; i + 1 < items.length; i += 2) entries.push([items[i], items[i + 1]]); push({ kind: 'dict', entries }); break; }
      case 0x73: { const v = pop(); const k = pop(); const d = top(); if (!isObj(d) || d.kind !== 'dict') corrupt('SETITEM on a non-dict'); (d as Dict).entries.push([k, v]); break; }
      case 0x75: { const items = popMark(); const d = top(); if (!isObj(d) || d.kind !== 'dict') corrupt('SETITEMS on a non-dict'); for (let i = 0; i + 1 < items.length; i += 2) (d as Dict).entries.push([items[i], items[i + 1]]); break; }
      case 0x4a: need(4); push(dv.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(longFromBytes(take(u8()))); break; // LONG1
      case 0x8b: { const n = u32(); if (n > 1 << 20) reject('integer wider than 1 MiB'); push(longFromBytes(take(n))); break; } // LONG4
      case 0x49: { const s = line(); if (s === '01') push(true); else if (s === '00') push(false); else { const n = Number(s); if (!Number.isFinite(n)) corrupt('bad INT'); push(n); } break; } // INT
      case 0x4c: { const s = line().replace(/L$/, ''); if (!/^-?\d+$/.test(s)) corrupt('bad LONG'); const b = BigInt(s); push(b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b); break; }
      case 0x47: need(8); push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x46: { const n = Number(line()); push(n); break; } // FLOAT
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x58: push(text(take(u32()))); break; // BINUNICODE
      case 0x8c: push(text(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(text(take(u64()))); break; // BINUNICODE8
      case 0x56: push(line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16)))); break; // UNICODE
      case 0x43: push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: push(take(u32()).slice()); break; // BINBYTES
      case 0x8e: push(take(u64()).slice()); break; // BINBYTES8
      case 0x55: push(new TextDecoder('latin1').decode(take(u8()))); break; // SHORT_BINSTRING (py2 str)
      case 0x54: { need(4); const n = dv.getInt32(pos, true); pos += 4; if (n < 0) corrupt('negative BINSTRING length'); push(new TextDecoder('latin1').decode(take(n))); break; }
      case 0x52: { const args = pop(); const fn = pop(); push(reduce(fn, args)); break; } // REDUCE
      case 0x62: { // BUILD
        const state = pop();
        const obj = pop();
        if (!dialect.build) reject('BUILD on an object');
        push(dialect.build!(obj, state, reject));
        break;
      }
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!dialect.newObj || !isObj(cls) || cls.kind !== 'global') return reject('pickle creates objects by calling a class');
        push(dialect.newObj(cls, tupleItems(args, 'NEWOBJ'), reject));
        break;
      }
      case 0x92: case 0x69: case 0x6f: return reject('pickle creates objects by calling a class'); // NEWOBJ_EX, INST, OBJ
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!dialect.persistentLoad) return reject('pickle uses persistent ids');
        push(dialect.persistentLoad(pid, reject));
        break;
      }
      case 0x50: return reject('pickle uses text persistent ids'); // PERSID
      case 0x82: case 0x83: case 0x84: return reject('pickle uses the extension registry'); // EXT1/2/4
      case 0x96: case 0x97: case 0x98: return reject('pickle uses out-of-band buffers'); // BYTEARRAY8, NEXT_BUFFER, READONLY_BUFFER
      default: return corrupt(`unknown opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
