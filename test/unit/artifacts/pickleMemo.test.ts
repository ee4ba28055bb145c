// The pickle reader's memo bound: large enough for a real object array of a million rows and
// more (Python's pickler memoizes every string), bounded by the pickle's size for hostile input.
import { expect, test } from 'vitest';
import { unpickle, type PickleDialect } from '../../../src/domain/artifacts/pickleVm';
import { ArtifactError } from '../../../src/domain/artifacts/errors';

const plain: PickleDialect = { what: 'test data', allows: () => false, call: (_fn, _args, reject) => reject('no calls') };

/** A list of `n` strings as Python's pickler writes it (protocol 3): each string memoized, appended 1000 at a time. */
function stringList(n: number): Uint8Array {
  const parts: number[] = [0x80, 3, 0x5d, 0x71, 0];
  let memo = 1;
  for (let i = 0; i < n; i += 1000) {
    parts.push(0x28);
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const text = Buffer.from(`{"label": "c${j % 10}", "sample_id": ${j}}`);
      parts.push(0x58, text.length & 0xff, (text.length >> 8) & 0xff, 0, 0, ...text);
      parts.push(0x72, memo & 0xff, (memo >> 8) & 0xff, (memo >> 16) & 0xff, memo >>> 24);
      memo++;
    }
    parts.push(0x65);
  }
  parts.push(0x2e);
  return Uint8Array.from(parts);
}

test('a list of 1.2 million memoized strings is read whole', () => {
  const v = unpickle(stringList(1_200_000), 'meta.pkl', plain) as { kind: 'list'; items: string[] };
  expect(v.kind).toBe('list');
  expect(v.items.length).toBe(1_200_000);
  expect(v.items[1_199_999]).toBe('{"label": "c9", "sample_id": 1199999}');
});

test('a run of MEMOIZE opcodes beyond a million, more than one per 8 bytes, is refused with the file named', () => {
  const n = 1_100_000;
  const bytes = new Uint8Array(n + 4);
  bytes.set([0x80, 4, 0x5d]);
  bytes.fill(0x94, 3, 3 + n);
  bytes[n + 3] = 0x2e;
  let err: unknown;
  try { unpickle(bytes, 'hostile.pkl', plain); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ArtifactError);
  expect((err as ArtifactError).code).toBe('pickle_rejected');
  expect((err as ArtifactError).message).toMatch(/hostile\.pkl.*memo table too large \(over 1000000 entries\)/);
});

test('memo indices out of order or far apart are kept; one that is not a count is refused as corrupt', () => {
  // [x, x, y, y] with x memoized at 4294967295 and y at 7, read back by LONG_BINGET and BINGET.
  const v = unpickle(Uint8Array.from([0x80, 3, 0x28,
    0x58, 1, 0, 0, 0, 0x78, 0x72, 0xff, 0xff, 0xff, 0xff,
    0x6a, 0xff, 0xff, 0xff, 0xff,
    0x58, 1, 0, 0, 0, 0x79, 0x71, 7, 0x68, 7,
    0x6c, 0x2e]), 'sparse.pkl', plain) as { kind: 'list'; items: string[] };
  expect(v.items).toEqual(['x', 'x', 'y', 'y']);
  let err: unknown;
  // PUT with a line that is not a number.
  try { unpickle(Uint8Array.from([0x80, 3, 0x4e, 0x70, ...Buffer.from('abc\n'), 0x2e]), 'bad-put.pkl', plain); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ArtifactError);
  expect((err as ArtifactError).message).toMatch(/bad-put\.pkl.*memo index NaN is not a count/);
  // GET of an index never written.
  err = undefined;
  try { unpickle(Uint8Array.from([0x80, 3, 0x68, 3, 0x2e]), 'bad-get.pkl', plain); } catch (e) { err = e; }
  expect((err as ArtifactError).message).toMatch(/bad-get\.pkl.*memo 3 read before it was written/);
});
