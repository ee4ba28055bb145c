import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { FrameCoder } from '../../../src/domain/animation/gifCore';
import { GIF_TRAILER, gifFrame, gifHeader, type Rect } from '../../../src/domain/animation/gifWriter';
import { tempDir } from '../helpers';
import { decodeGif } from './gifDecode';

const palette = Array.from({ length: 256 }, (_, i) => [i, (i * 7) & 255, 255 - i]);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** What a viewer shows after drawing `indexed` (inside `rect`, 255 transparent) over `canvas`. */
function composite(canvas: Uint8Array, indexed: Uint8Array, width: number, rect: Rect, transparent: number | undefined): void {
  for (let y = rect.top; y < rect.top + rect.height; y++) {
    for (let x = rect.left; x < rect.left + rect.width; x++) {
      const k = indexed[y * width + x];
      if (k === transparent) continue;
      canvas.set([...palette[k], 255], (y * width + x) * 4);
    }
  }
}

/** The LZW codes of `rect` of a width-wide index image, through `coder`'s (larger) index buffer. */
function codesOf(coder: FrameCoder, indexed: Uint8Array, width: number, rect: Rect): Uint8Array {
  const into = coder.indices();
  for (let i = 0; i < indexed.length; i++) into[Math.floor(i / width) * coder.width + (i % width)] = indexed[i];
  return coder.lzw(rect);
}

test('frames of any rectangle and content decode to exactly their indices (one coder reused across frames)', () => {
  const coder = new FrameCoder(40, 30);
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 256 }),
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 ** 31 - 1 })), { minLength: 1, maxLength: 4 }),
    (width, height, colours, frameSeeds) => {
      const canvas = new Uint8Array(width * height * 4);
      const parts: Uint8Array[] = [gifHeader(width, height, palette)];
      frameSeeds.forEach(([a, b, c, d, seed], f) => {
        const left = a % width, top = b % height;
        const rect = { left, top, width: 1 + (c % (width - left)), height: 1 + (d % (height - top)) };
        let s = seed;
        const indexed = Uint8Array.from({ length: width * height }, () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return (s >> 8) % colours; });
        const full = f === 0 ? { left: 0, top: 0, width, height } : rect;
        const transparent = f === 0 ? undefined : 255;
        parts.push(gifFrame(codesOf(coder, indexed, width, full), full, { delayMs: 120, transparentIndex: transparent }));
        composite(canvas, indexed, width, full, transparent);
      });
      parts.push(GIF_TRAILER);
      const gif = decodeGif(concat(parts));
      expect(gif.loop).toBe(0);
      expect(gif.frames).toHaveLength(frameSeeds.length);
      expect(gif.frames.at(-1)!.delayMs).toBe(120);
      expect(Buffer.from(gif.frames.at(-1)!.rgba).equals(Buffer.from(canvas))).toBe(true);
    },
  ), { numRuns: 150 });
});

test('noise that fills the code table many times over decodes the same in ffmpeg', () => {
  const width = 320, height = 240;
  let s = 7;
  const indexed = Uint8Array.from({ length: width * height }, (_, i) => { s = (s * 1103515245 + 12345) & 0x7fffffff; return i % 3 === 0 ? 4 : (s >> 8) & 255; });
  const file = join(tempDir(), 'noise.gif');
  const full = { left: 0, top: 0, width, height };
  writeFileSync(file, concat([gifHeader(width, height, palette), gifFrame(codesOf(new FrameCoder(width, height), indexed, width, full), full, { delayMs: 100 }), GIF_TRAILER]));
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 24 });
  expect(rgb.length).toBe(width * height * 3);
  let wrong = 0;
  for (let i = 0; i < width * height; i++) {
    const c = palette[indexed[i]];
    if (rgb[i * 3] !== c[0] || rgb[i * 3 + 1] !== c[1] || rgb[i * 3 + 2] !== c[2]) wrong++;
  }
  expect(wrong).toBe(0);
});
