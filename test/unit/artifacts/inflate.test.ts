import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { inflateByCopy, inflateInto } from '../../../src/domain/artifacts/inflate';

// The handle path, and the inflateSync fallback for a Node without that handle (parts joined).
const ways = [
  ['zlib handle', inflateInto],
  ['inflateSync fallback', (parts: Uint8Array | readonly Uint8Array[], out: Uint8Array) => inflateByCopy(parts instanceof Uint8Array ? parts : Buffer.concat(parts), out)],
] as const;

test.each(ways)('%s: any data, in any number of parts, inflates to what inflateSync gives', (_, inflate) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 20000 }), fc.array(fc.nat(), { maxLength: 5 }), fc.integer({ min: 0, max: 9 }), (data, cuts, level) => {
    const z = deflateSync(data, { level });
    const at = [...new Set(cuts.map((c) => c % (z.length + 1)))].sort((a, b) => a - b);
    const parts = [0, ...at].map((s, i, all) => z.subarray(s, all[i + 1] ?? z.length));
    const out = new Uint8Array(data.length + 1);
    expect(inflate(parts, out)).toEqual({ ok: true, bytes: data.length });
    expect(Buffer.from(out.subarray(0, data.length)).equals(inflateSync(z))).toBe(true);
  }), { numRuns: 200 });
});

test.each(ways)('%s: more data than the buffer, a cut stream, garbage: each said, and the next call still works', (_, inflate) => {
  const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 255));
  const z = deflateSync(data);
  expect(inflate(z, new Uint8Array(5000))).toMatchObject({ ok: false, reason: 'too_long' });
  expect(inflate(z.subarray(0, z.length >> 1), new Uint8Array(5001))).toMatchObject({ ok: false, reason: 'truncated' });
  expect(inflate(Buffer.from('not a zlib stream at all'), new Uint8Array(100))).toMatchObject({ ok: false, reason: 'error', message: expect.stringMatching(/header/) });
  const flipped = Buffer.from(z);
  flipped[z.length - 2] ^= 0xff; // the Adler-32 checksum
  expect(inflate(flipped, new Uint8Array(5001))).toMatchObject({ ok: false, reason: 'error' });
  const out = new Uint8Array(5001);
  expect(inflate(z, out)).toEqual({ ok: true, bytes: 5000 });
  expect(Buffer.from(out.subarray(0, 5000)).equals(data)).toBe(true);
});
