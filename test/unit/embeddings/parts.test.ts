// A large message crosses to the page in parts: what comes out is the message that went in,
// with each array its own type and an array that was there twice one object again.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { PartsReceiver, splitMessage, type PartMessage, type TypedArray } from '../../../src/protocol/parts';

const typedArray: fc.Arbitrary<TypedArray> = fc.oneof(
  fc.float64Array({ maxLength: 40 }),
  fc.float32Array({ maxLength: 40 }),
  fc.int32Array({ maxLength: 40 }),
  fc.uint32Array({ maxLength: 40 }),
  fc.int16Array({ maxLength: 40 }),
  fc.uint16Array({ maxLength: 40 }),
  fc.int8Array({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8ClampedArray({ maxLength: 40 }),
);

/** Each array's elements as bit-exact values (NaN payloads and -0 included). */
const same = (a: unknown, b: unknown): boolean => {
  if (ArrayBuffer.isView(a)) {
    return ArrayBuffer.isView(b) && a.constructor === b.constructor && a.byteLength === b.byteLength
      && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && typeof a === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
};

const deliver = (posts: unknown[], r = new PartsReceiver()) => posts.map((p) => r.accept(structuredClone(p))).filter((m) => m !== undefined);

test('any message of arrays, at any part size, arrives whole and equal; each part owns at most that many bytes', () => {
  fc.assert(fc.property(fc.array(typedArray, { maxLength: 8 }), fc.integer({ min: 1, max: 64 }), fc.string(), (arrays, limit, text) => {
    const shared = arrays[0];
    const message = { type: 'stepData', text, spaces: arrays.map((a, i) => ({ i, a, again: i === 1 ? shared : undefined })) };
    const posts = splitMessage(message, limit);
    for (const p of posts as PartMessage[]) {
      if (p.type !== 'partsBytes') continue;
      expect(p.bytes.length).toBeLessThanOrEqual(limit);
      expect([p.bytes.byteOffset, p.bytes.buffer.byteLength]).toEqual([0, p.bytes.length]);
    }
    const out = deliver(posts);
    expect(out).toHaveLength(1);
    expect(same(out[0], message)).toBe(true);
    const got = out[0] as typeof message;
    if (arrays.length > 1) expect(got.spaces[1].again).toBe(got.spaces[0].a);
    // Arrays that fit a part arrive whole in one and are views of it, not copies.
    if (posts.length > 1 && limit % 8 === 0 && arrays.every((a) => a.byteLength <= limit)) {
      const parts = (posts as PartMessage[]).filter((p) => p.type === 'partsBytes').length;
      expect(new Set(got.spaces.map((x) => x.a.buffer)).size).toBeLessThanOrEqual(parts);
    }
  }));
});

test('a message whose arrays fit in one part is posted as it is', () => {
  const message = { type: 'trail', x: new Float32Array(4) };
  expect(splitMessage(message, 16)).toEqual([message]);
  expect((splitMessage(message, 15) as PartMessage[]).map((p) => p.type)).toEqual(['partsBegin', 'partsBytes', 'partsBytes', 'partsEnd']);
});

test('parts that do not fit together say so and are dropped; the next message still arrives', () => {
  const big = { type: 'stepData', x: Float64Array.from({ length: 10 }, (_, i) => i) };
  const posts = splitMessage(big, 24) as PartMessage[];
  const [begin, ...rest] = posts;
  const end = rest.at(-1)!, bytes = rest.slice(0, -1);
  const r = new PartsReceiver();
  expect(() => r.accept(bytes[0])).toThrow(/without its beginning/);
  r.accept(begin);
  r.accept(bytes[1]);
  expect(() => r.accept(bytes[0])).toThrow(/out of order/);
  r.accept(begin);
  r.accept(bytes[0]);
  expect(() => r.accept(end)).toThrow(/ended without bytes 24–80/);
  r.accept(begin);
  expect(() => r.accept({ ...bytes[0], bytes: new Uint8Array(100) })).toThrow(/past its end/);
  // Hostile beginnings: sizes and places outside the message.
  for (const bad of [{ ...begin, bytes: -1 }, { ...begin, bytes: 2 ** 40 }, { ...begin, arrays: [{ kind: 'Float64Array', offset: 8, length: 10 }] }, { ...begin, arrays: [{ kind: 'Function', offset: 0, length: 1 }] }, { ...begin, arrays: [{ kind: 'Float64Array', offset: 0, length: -1 }] }, { ...begin, arrays: [{ kind: 'constructor', offset: 0, length: 1 }] }]) {
    expect(() => r.accept(bad)).toThrow(/outside|bytes/);
  }
  // A message begun anew drops the unfinished one; it arrives whole.
  r.accept(begin);
  r.accept(bytes[0]);
  const again = deliver(posts, r);
  expect(same(again[0], big)).toBe(true);
});

test('a message that is not a part passes through untouched', () => {
  const r = new PartsReceiver();
  const m = { type: 'bounds', bounds: { '\u0000array': { x: [0, 1] } } };
  expect(r.accept(m)).toBe(m);
});
