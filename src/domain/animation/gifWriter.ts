// GIF89a blocks for 256-colour frames: the screen header with the global palette and loop,
// and frames that cover only the rectangle that changed. The LZW coder looks codes up in a
// direct table (code × 256 + pixel) instead of a hash, which is what makes it fast; the
// table is cleared by undoing the entries written, not by refilling 2 MB.

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

const MIN_CODE_SIZE = 8;
const CLEAR = 1 << MIN_CODE_SIZE;
const EOI = CLEAR + 1;
const MAX_CODE = 4096;

/** "GIF89a", the logical screen with a 256-colour global palette, and loop forever. */
export function gifHeader(width: number, height: number, palette: readonly (readonly number[])[]): Uint8Array {
  const out = new Uint8Array(6 + 7 + 768 + 19);
  out.set([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  put16(out, 6, width);
  put16(out, 8, height);
  out[10] = 0xf7; // global table, 8 bits colour resolution, 2^(7+1) entries
  for (let i = 0; i < 256; i++) {
    const c = palette[i] ?? [0, 0, 0];
    out[13 + i * 3] = c[0]; out[14 + i * 3] = c[1]; out[15 + i * 3] = c[2];
  }
  // NETSCAPE2.0 application extension: loop count 0 = forever
  out.set([0x21, 0xff, 0x0b, ...Array.from('NETSCAPE2.0', (ch) => ch.charCodeAt(0)), 0x03, 0x01, 0x00, 0x00, 0x00], 13 + 768);
  return out;
}

export const GIF_TRAILER = Uint8Array.of(0x3b);

export interface FrameOptions {
  delayMs: number;
  /** Palette index drawn as "leave what is there"; undefined for an opaque frame. */
  transparentIndex?: number;
}

/**
 * One frame: graphic control extension (delay, transparency, keep-the-previous disposal),
 * image descriptor for `rect`, and the LZW data of `indexed` (full-canvas indices, `stride`
 * pixels a row) inside that rectangle.
 */
export function gifFrame(indexed: Uint8Array, stride: number, rect: Rect, options: FrameOptions, lzw: LzwCoder): Uint8Array {
  const data = lzw.encode(indexed, stride, rect);
  const out = new Uint8Array(8 + 10 + 1 + data.length);
  const transparent = options.transparentIndex !== undefined;
  out.set([0x21, 0xf9, 0x04, (1 << 2) | (transparent ? 1 : 0)]);
  put16(out, 4, Math.round(options.delayMs / 10));
  out[6] = transparent ? options.transparentIndex! : 0;
  out[7] = 0;
  out[8] = 0x2c;
  put16(out, 9, rect.left);
  put16(out, 11, rect.top);
  put16(out, 13, rect.width);
  put16(out, 15, rect.height);
  out[17] = 0; // no local palette, not interlaced
  out[18] = MIN_CODE_SIZE;
  out.set(data, 19);
  return out;
}

/** An LZW coder that keeps its table and output buffer between frames (one per thread). */
export class LzwCoder {
  // next[pixel << 12 | code] = the code for that string plus pixel, or 0 when absent
  private readonly next = new Uint16Array(MAX_CODE << 8);
  private readonly used = new Int32Array(MAX_CODE);
  private buf = new Uint8Array(1 << 16);

  /** The sub-blocked LZW stream (ending with the 0 block) of the pixels of `rect`. */
  encode(indexed: Uint8Array, stride: number, rect: Rect): Uint8Array {
    const pixels = rect.width * rect.height;
    // Worst case 12 bits a pixel, plus clears; then one length byte per 255.
    const rawMax = Math.ceil(pixels * 1.5) + 64;
    if (this.buf.length < rawMax) this.buf = new Uint8Array(rawMax);
    const raw = this.buf;
    const next = this.next, used = this.used;
    let usedCount = 0;
    let pos = 0, acc = 0, bits = 0;
    let codeSize = MIN_CODE_SIZE + 1;
    let nextCode = EOI + 1;

    // emit(code): acc |= code << bits; bits += codeSize; flush whole bytes
    acc = CLEAR; bits = codeSize;
    let cur = indexed[rect.top * stride + rect.left];
    let first = true;
    for (let y = rect.top, end = rect.top + rect.height; y < end; y++) {
      let i = y * stride + rect.left;
      const rowEnd = i + rect.width;
      if (first) { i++; first = false; }
      for (; i < rowEnd; i++) {
        const k = indexed[i];
        const key = (k << 12) | cur; // pixel-major: runs of one index stay in one 8 KB stretch of the table
        const found = next[key];
        if (found !== 0) { cur = found; continue; }
        acc |= cur << bits; bits += codeSize;
        while (bits >= 8) { raw[pos++] = acc & 0xff; acc >>>= 8; bits -= 8; }
        if (nextCode === MAX_CODE) {
          acc |= CLEAR << bits; bits += codeSize;
          while (bits >= 8) { raw[pos++] = acc & 0xff; acc >>>= 8; bits -= 8; }
          for (let u = 0; u < usedCount; u++) next[used[u]] = 0;
          usedCount = 0;
          nextCode = EOI + 1;
          codeSize = MIN_CODE_SIZE + 1;
        } else {
          if (nextCode >= 1 << codeSize) codeSize++;
          next[key] = nextCode++;
          used[usedCount++] = key;
        }
        cur = k;
      }
    }
    acc |= cur << bits; bits += codeSize;
    while (bits >= 8) { raw[pos++] = acc & 0xff; acc >>>= 8; bits -= 8; }
    acc |= EOI << bits; bits += codeSize;
    while (bits > 0) { raw[pos++] = acc & 0xff; acc >>>= 8; bits -= 8; }
    for (let u = 0; u < usedCount; u++) next[used[u]] = 0;

    const out = new Uint8Array(pos + Math.ceil(pos / 255) + 1);
    let o = 0;
    for (let s = 0; s < pos; s += 255) {
      const n = Math.min(255, pos - s);
      out[o++] = n;
      out.set(raw.subarray(s, s + n), o);
      o += n;
    }
    out[o] = 0;
    return out;
  }
}

function put16(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >> 8) & 0xff;
}
