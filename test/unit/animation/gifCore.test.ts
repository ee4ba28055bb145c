// The WebAssembly frame kernels against plain definitions: PNG rows written with every filter
// type decode to their pixels, indexing picks the nearest colour and leaves unchanged pixels
// transparent, and broken image data is refused with the file named.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FrameCoder } from '../../../src/domain/animation/gifCore';
import { decodePng } from '../../../src/domain/artifacts/png';
import { crc32 } from 'node:zlib';
import { fmt } from '../helpers';

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)) >>> 0, 8 + body.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * An 8-bit RGB (3) or RGBA (4) PNG of `pixels`, each row filtered with `filters[y]` by the
 * definitions in the PNG specification, its zlib stream split over IDAT chunks of `split` bytes.
 */
function png(width: number, height: number, channels: 3 | 4, pixels: Uint8Array, filters: number[], split = 1 << 30): Uint8Array {
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = filters[y];
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = pixels[y * stride + i];
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 3 ? 2 : 6;
  const z = deflateSync(raw);
  const idat: Uint8Array[] = [];
  for (let s = 0; s < z.length; s += split) idat.push(chunk('IDAT', z.subarray(s, s + split)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...idat, chunk('IEND', new Uint8Array(0))]);
}

function rgbaOf(pixels: Uint8Array, channels: 3 | 4): Uint8Array {
  if (channels === 4) return pixels;
  const out = new Uint8Array((pixels.length / 3) * 4);
  for (let i = 0, o = 0; i < pixels.length; i += 3, o += 4) out.set([pixels[i], pixels[i + 1], pixels[i + 2], 255], o);
  return out;
}

describe('PNG rows into the frame', () => {
  test('every filter type, RGB and RGBA, any width (vector and tail paths), IDAT in pieces', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(3 as const, 4 as const), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (width, height, channels, split, seed) => {
        let s = seed;
        const next = () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s >> 8; };
        // Mostly smooth pixels with some noise: the filters' predictions matter both ways.
        const pixels = Uint8Array.from({ length: width * height * channels }, (_, i) => (next() % 4 === 0 ? next() : (i * 7) >> 2) & 255);
        const filters = Array.from({ length: height }, () => next() % 5);
        const coder = new FrameCoder(width, height);
        const r = coder.decodePng(png(width, height, channels, pixels, filters, split), 'f.png');
        expect(r).toEqual({ decoded: true, opaque: channels === 3 });
        expect(Buffer.from(coder.frame()).equals(Buffer.from(rgbaOf(pixels, channels)))).toBe(true);
      },
    ), { numRuns: 300 });
  });

  test('a producer frame (Pillow) decodes to the same pixels as the general decoder', () => {
    const file = fmt('..', 'workspace', 'lightning_logs', 'version_0', 'viz_snapshots', 'viz_step_100_pacmap.png');
    const bytes = readFileSync(file);
    const expected = decodePng(bytes, file);
    const coder = new FrameCoder(expected.width, expected.height);
    expect(coder.decodePng(bytes, file).decoded).toBe(true);
    expect(Buffer.from(coder.frame()).equals(Buffer.from(expected.data))).toBe(true);
  });

  test('other layouts and sizes are left to the general decoder', () => {
    const coder = new FrameCoder(9, 7);
    expect(coder.decodePng(readFileSync(fmt('png', 'palette.png')), 'p.png').decoded).toBe(false);
    expect(coder.decodePng(readFileSync(fmt('png', 'rgba16_interlaced.png')), 'i.png').decoded).toBe(false);
    expect(coder.decodePng(png(8, 7, 3, new Uint8Array(8 * 7 * 3), Array(7).fill(0)), 'w.png').decoded).toBe(false);
  });

  test('broken image data: an error naming the file and the problem, and the coder still works', () => {
    const coder = new FrameCoder(4, 3);
    const good = png(4, 3, 3, new Uint8Array(36).fill(9), [0, 1, 2]);
    const badFilter = png(4, 3, 3, new Uint8Array(36), [0, 0, 0]);
    // filter byte of row 1 → 7, then fix the zlib stream and chunk CRC by rebuilding
    const rows = new Uint8Array(3 * 13);
    rows[13] = 7;
    const ihdr = badFilter.subarray(8, 33);
    const withBadRow = Buffer.concat([badFilter.subarray(0, 8), ihdr, chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array(0))]);
    expect(() => coder.decodePng(withBadRow, '/runs/a.png')).toThrow(/\/runs\/a\.png.*row 1 uses unknown filter 7/);
    const short = Buffer.concat([badFilter.subarray(0, 8), ihdr, chunk('IDAT', deflateSync(rows.subarray(0, 20))), chunk('IEND', new Uint8Array(0))]);
    expect(() => coder.decodePng(short, '/runs/b.png')).toThrow(expect.objectContaining({ code: 'truncated', file: '/runs/b.png' }));
    const long = Buffer.concat([badFilter.subarray(0, 8), ihdr, chunk('IDAT', deflateSync(new Uint8Array(100))), chunk('IEND', new Uint8Array(0))]);
    expect(() => coder.decodePng(long, '/runs/c.png')).toThrow(expect.objectContaining({ code: 'inconsistent', detail: expect.stringMatching(/beyond the 39 bytes/) }));
    const cut = Buffer.concat([badFilter.subarray(0, 8), ihdr, chunk('IDAT', deflateSync(rows).subarray(0, 8)), chunk('IEND', new Uint8Array(0))]);
    expect(() => coder.decodePng(cut, '/runs/d.png')).toThrow(expect.objectContaining({ code: 'truncated' }));
    expect(coder.decodePng(good, 'good.png').decoded).toBe(true);
    expect([...coder.frame().subarray(0, 8)]).toEqual([9, 9, 9, 255, 9, 9, 9, 255]);
  });
});

describe('indexing against the palette and the previous frame', () => {
  const weights = (a: number[], b: number[]) => (a[0] - b[0]) ** 2 * 2 + (a[1] - b[1]) ** 2 * 4 + (a[2] - b[2]) ** 2 * 3;
  const nearest = (palette: number[][], c: number[]) => palette.reduce((best, p, i) => (weights(p, c) < weights(palette[best], c) ? i : best), 0);

  test('nearest colour for every pixel; unchanged or same-index pixels transparent; the changed rectangle', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (width, height, colours, seed) => {
        let s = seed;
        const next = () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s >> 8; };
        const palette = Array.from({ length: colours }, () => [next() & 255, next() & 255, next() & 255]);
        const coder = new FrameCoder(width, height);
        coder.usePalette(palette);
        const n = width * height;
        const first = Uint8Array.from({ length: n * 4 }, (_, i) => (i % 4 === 3 ? 255 : next() & 255));
        // The second frame keeps some pixels, shifts some slightly, replaces others.
        const second = first.slice();
        for (let p = 0; p < n; p++) {
          const r = next() % 3;
          if (r === 1) second[p * 4] ^= 1;
          if (r === 2) for (let c = 0; c < 3; c++) second[p * 4 + c] = next() & 255;
        }
        coder.frame().set(first);
        const whole = coder.index();
        const shown = [...coder.indices()];
        for (let p = 0; p < n; p++) expect(shown[p]).toBe(nearest(palette, [...first.subarray(p * 4, p * 4 + 3)]));
        expect(whole).toEqual({ left: 0, top: 0, width, height });
        coder.advance();
        coder.frame().set(second);
        const rect = coder.index();
        const out = coder.indices();
        let top = -1, bottom = -1, left = width, right = -1;
        for (let p = 0; p < n; p++) {
          const want = nearest(palette, [...second.subarray(p * 4, p * 4 + 3)]);
          if (want === shown[p]) expect(out[p]).toBe(255);
          else {
            expect(out[p]).toBe(want);
            const x = p % width, y = Math.floor(p / width);
            if (top < 0) top = y;
            bottom = y; left = Math.min(left, x); right = Math.max(right, x);
          }
        }
        expect(rect).toEqual(top < 0 ? undefined : { left, top, width: right - left + 1, height: bottom - top + 1 });
      },
    ), { numRuns: 200 });
  });

  test('the palette can change until frames are indexed, then only the same colours are accepted', () => {
    const coder = new FrameCoder(2, 1);
    expect(coder.usePalette([[0, 0, 0]])).toBe(true);
    expect(coder.usePalette([[255, 255, 255], [0, 0, 0]])).toBe(true);
    coder.frame().set([250, 250, 250, 255, 10, 10, 10, 255]);
    coder.index();
    expect([...coder.indices()]).toEqual([0, 1]);
    expect(coder.usePalette([[255, 255, 255], [0, 0, 0]])).toBe(true);
    expect(coder.usePalette([[255, 255, 255], [0, 0, 1]])).toBe(false);
  });
});
