/**
 * A large message crosses to a webview in parts of a bounded size. VS Code copies a webview
 * message several times on the workbench's main thread (which, in a browser, is the webview's
 * too), so one 130 MB embedding step held that thread for a second; in parts, each copy is a
 * short task of its own.
 *
 * The typed arrays of the message travel as one byte stream (`partsBytes`, at most `limit`
 * bytes each), announced by `partsBegin` and followed by `partsEnd`, which carries the rest of
 * the message with each array replaced by its number. An array that appears twice in the
 * message (the same object) travels once and arrives as one object.
 */

export type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;

const KINDS = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray } as const;
export type ArrayKind = keyof typeof KINDS;

export interface ArrayPlace { kind: ArrayKind; offset: number; length: number }

export type PartMessage =
  | { type: 'partsBegin'; id: number; bytes: number; arrays: ArrayPlace[] }
  | { type: 'partsBytes'; id: number; offset: number; bytes: Uint8Array }
  | { type: 'partsEnd'; id: number; message: unknown };

/** The bytes of each part: 8 MB, a few tens of milliseconds to copy in VS Code's workbench. */
export const PART_BYTES = 8 << 20;

/** The key of an array's stand-in in `partsEnd` (no message of ours has a key like it). */
const REF = '\u0000array';

let nextId = 1;

function kindOf(v: ArrayBufferView): ArrayKind | undefined {
  const name = v.constructor.name;
  return name in KINDS && v.constructor === KINDS[name as ArrayKind] ? (name as ArrayKind) : undefined;
}

/**
 * `message` as the posts that carry it: itself when its arrays come to `limit` bytes or less,
 * else parts. Each part owns its bytes (VS Code sends a view's whole buffer, not the view).
 */
export function splitMessage(message: unknown, limit = PART_BYTES): unknown[] {
  const arrays: TypedArray[] = [];
  const index = new Map<TypedArray, number>();
  let total = 0;
  const collect = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      if (kindOf(v) && !index.has(v as TypedArray)) { index.set(v as TypedArray, arrays.length); arrays.push(v as TypedArray); total += v.byteLength; }
      return;
    }
    if (Array.isArray(v)) for (const x of v) collect(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x);
  };
  collect(message);
  if (total <= limit) return [message];

  const id = nextId++;
  // Arrays placed in a byte stream, a part starting where the next array would not fit, so
  // most arrays arrive whole in one part and become views of it; one longer than a part spans
  // parts of `limit` bytes.
  const places: ArrayPlace[] = [];
  const starts = [0];
  let at = 0;
  for (const a of arrays) {
    at = Math.ceil(at / 8) * 8; // every kind's alignment
    const partStart = starts[starts.length - 1];
    if (at > partStart && at + a.byteLength > partStart + limit) starts.push(at);
    places.push({ kind: kindOf(a)!, offset: at, length: a.length });
    at += a.byteLength;
    while (at - starts[starts.length - 1] > limit) starts.push(starts[starts.length - 1] + limit);
  }
  const bytes = at;
  const out: unknown[] = [{ type: 'partsBegin', id, bytes, arrays: places } satisfies PartMessage];
  let k = 0;
  starts.forEach((start, i) => {
    // Up to the next part, less the alignment padding that would take this one past `limit`.
    const end = Math.min(bytes, starts[i + 1] ?? bytes, start + limit);
    const part = new Uint8Array(end - start);
    while (k < arrays.length && places[k].offset + arrays[k].byteLength <= start) k++;
    for (let j = k; j < arrays.length && places[j].offset < end; j++) {
      const a = arrays[j], from = Math.max(start, places[j].offset), to = Math.min(end, places[j].offset + a.byteLength);
      if (to > from) part.set(new Uint8Array(a.buffer, a.byteOffset + from - places[j].offset, to - from), from - start);
    }
    out.push({ type: 'partsBytes', id, offset: start, bytes: part } satisfies PartMessage);
  });
  const strip = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) return index.has(v as TypedArray) ? { [REF]: index.get(v as TypedArray) } : v;
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, strip(x)]));
    return v;
  };
  out.push({ type: 'partsEnd', id, message: strip(message) } satisfies PartMessage);
  return out;
}

const isPart = (m: unknown): m is PartMessage => {
  const type = (m as { type?: unknown } | null)?.type;
  return type === 'partsBegin' || type === 'partsBytes' || type === 'partsEnd';
};

/** Puts split messages back together, one at a time: a message begun anew drops the unfinished one. */
export class PartsReceiver {
  private open: { id: number; bytes: number; arrays: ArrayPlace[]; parts: { offset: number; bytes: Uint8Array }[]; end: number } | undefined;

  /**
   * What `m` delivers: itself when it is not a part, the whole message at its end, else
   * nothing yet. Throws on parts that do not fit together (what arrived is dropped).
   */
  accept(m: unknown): unknown | undefined {
    if (!isPart(m)) return m;
    if (m.type === 'partsBegin') {
      if (!Number.isSafeInteger(m.bytes) || m.bytes < 0 || m.bytes > 2 ** 32) throw new Error(`a message in parts says it has ${m.bytes} bytes`);
      for (const a of m.arrays) {
        const size = Object.hasOwn(KINDS, a.kind) ? KINDS[a.kind].BYTES_PER_ELEMENT : 0;
        if (!size || !Number.isSafeInteger(a.offset) || !Number.isSafeInteger(a.length) || a.offset < 0 || a.length < 0 || a.offset + a.length * size > m.bytes) {
          throw new Error(`a message in parts places an array outside its ${m.bytes} bytes`);
        }
      }
      this.open = { id: m.id, bytes: m.bytes, arrays: m.arrays, parts: [], end: 0 };
      return undefined;
    }
    const open = this.open;
    if (!open || open.id !== m.id) {
      this.open = undefined;
      throw new Error(`part ${m.type} of message ${m.id} arrived without its beginning`);
    }
    if (m.type === 'partsBytes') {
      if (!(m.bytes instanceof Uint8Array) || !Number.isSafeInteger(m.offset) || m.offset < open.end || m.offset + m.bytes.length > open.bytes) {
        this.open = undefined;
        throw new Error(`bytes ${m.offset}… of message ${m.id} are out of order or past its end`);
      }
      open.parts.push({ offset: m.offset, bytes: m.bytes });
      open.end = m.offset + m.bytes.length;
      return undefined;
    }
    this.open = undefined;
    const arrays = open.arrays.map((a) => this.arrayOf(open, a, m.id));
    const restore = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(restore);
      if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
        const ref = (v as Record<string, unknown>)[REF];
        if (typeof ref === 'number' && Object.keys(v).length === 1) {
          if (!arrays[ref]) throw new Error(`message ${m.id} names array ${ref} of ${arrays.length}`);
          return arrays[ref];
        }
        return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, restore(x)]));
      }
      return v;
    };
    return restore(m.message);
  }

  /** Array `a`: a view of the part it arrived in whole, else a copy of its pieces. */
  private arrayOf(open: NonNullable<PartsReceiver['open']>, a: ArrayPlace, id: number): TypedArray {
    const Kind = KINDS[a.kind];
    const start = a.offset, end = a.offset + a.length * Kind.BYTES_PER_ELEMENT;
    const within = open.parts.find((p) => p.offset <= start && end <= p.offset + p.bytes.length);
    const at = within ? within.bytes.byteOffset + start - within.offset : -1;
    if (within && at % Kind.BYTES_PER_ELEMENT === 0) return new Kind(within.bytes.buffer as ArrayBuffer, at, a.length);
    const out = new Uint8Array(end - start);
    let covered = start;
    for (const p of open.parts) {
      const from = Math.max(covered, p.offset), to = Math.min(end, p.offset + p.bytes.length);
      if (to <= from) continue;
      if (from !== covered) break;
      out.set(p.bytes.subarray(from - p.offset, to - p.offset), from - start);
      covered = to;
    }
    if (covered !== end) throw new Error(`message ${id} ended without bytes ${covered}–${end} of one of its arrays`);
    return new Kind(out.buffer, 0, a.length);
  }
}
